//! `doorstep-server demo`: a living system for the README's run command and
//! for benchmarks. One team with a lead, two caseworkers, an IT admin, and
//! invented cases that read like a council's. Running it again adds nothing
//! twice: the same seed invents the same cases.

use std::num::NonZeroUsize;

use automerge::ActorId;
use doorstep_core::case::CaseDocument;
use doorstep_core::dates::Timestamp;
use doorstep_core::demo::{DemoRandom, DemoShape, demo_case};
use serde::Serialize;
use serde_json::json;

use crate::accounts::{PasswordDigest, Role};
use crate::audit::AuditEvent;
use crate::storage::{CaseWrite, NewUser, Storage, StorageError};

pub const DEMO_TEAM: &str = "North Locality";

/// The demo's people: name, role, and a password that is printed for the demo.
pub const DEMO_USERS: &[(&str, Role, &str)] = &[
    ("sam.lead", Role::TeamLead, "demo-lead-password"),
    ("amy.caseworker", Role::Caseworker, "demo-amy-password"),
    ("ben.caseworker", Role::Caseworker, "demo-ben-password"),
    ("ida.admin", Role::Admin, "demo-admin-password"),
];

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("Could not invent demo data: {0}")]
    Invent(String),
}

#[derive(Debug, Serialize)]
pub struct DemoSummary {
    pub team: String,
    pub users: Vec<DemoUser>,
    pub cases_created: usize,
    pub cases_already_there: usize,
}

#[derive(Debug, Serialize)]
pub struct DemoUser {
    pub name: String,
    pub role: Role,
    pub password: String,
}

/// An invented case: its id, its saved document, and its caseworker.
type InventedCase = (String, Vec<u8>, String);

/// Invents case documents on every core, since that is the slow part.
fn invent(cases: usize, seed: u64) -> Result<Vec<InventedCase>, DemoError> {
    let threads = std::thread::available_parallelism()
        .map(NonZeroUsize::get)
        .unwrap_or(1)
        .min(cases.max(1));
    let per_thread = cases.div_ceil(threads);
    let start = Timestamp(1_795_000_000_000);
    let results: Vec<Result<Vec<InventedCase>, String>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|thread| {
                scope.spawn(move || {
                    let first = thread * per_thread;
                    let last = (first + per_thread).min(cases);
                    (first..last)
                        .map(|index| {
                            let mut random = DemoRandom::new(
                                seed ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
                            );
                            let worker = if index % 2 == 0 {
                                "amy.caseworker"
                            } else {
                                "ben.caseworker"
                            };
                            let mut case: CaseDocument = demo_case(
                                &mut random,
                                index,
                                worker,
                                DEMO_TEAM,
                                DemoShape::default(),
                                start,
                                ActorId::from(format!("demo-{worker}").as_bytes()),
                            )
                            .map_err(|error| error.to_string())?;
                            Ok((case.id().to_owned(), case.save(), worker.to_owned()))
                        })
                        .collect()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|_| Err("a demo worker crashed".into()))
            })
            .collect()
    });
    let mut all = Vec::with_capacity(cases);
    for result in results {
        all.extend(result.map_err(DemoError::Invent)?);
    }
    Ok(all)
}

const SEED_BATCH: usize = 1000;

/// The server's record of one invented case, as a device's first push would make it.
fn seed_write(case_id: String, bytes: Vec<u8>, worker: &str) -> Result<CaseWrite, DemoError> {
    let mut document = CaseDocument::load(&bytes, crate::cases::server_actor())
        .map_err(|error| DemoError::Invent(error.to_string()))?;
    let projection = document.projection();
    let heads: Vec<String> = document.heads().iter().map(ToString::to_string).collect();
    Ok(CaseWrite {
        case_id: case_id.clone(),
        expected_version: None,
        facts: doorstep_core::access::CaseAccessFacts {
            case_type: projection.case_type.clone(),
            team: projection.team.clone(),
            assigned_to: projection.assigned_to.clone(),
        },
        status: projection.status.as_str().to_owned(),
        summary: projection.summary.clone(),
        heads: heads.join(","),
        chunk: bytes,
        compacts: true,
        device_id: None,
        open_visit: crate::cases::open_visit_of(
            &document,
            projection.open_visit_expected_end.is_some(),
        ),
        audit: AuditEvent::new("demo_case_seeded")
            .by("doorstep-server demo")
            .case(case_id)
            .detail(json!({ "assigned_to": worker })),
    })
}

pub async fn seed<S: Storage>(
    storage: &S,
    cases: usize,
    seed: u64,
) -> Result<DemoSummary, DemoError> {
    match storage.add_team(DEMO_TEAM).await {
        Ok(_) | Err(StorageError::AlreadyExists(_)) => {}
        Err(error) => return Err(error.into()),
    }
    let mut users = Vec::new();
    for (name, role, password) in DEMO_USERS {
        if storage.credentials(name).await?.is_none() {
            let password = (*password).to_owned();
            let digest = tokio::task::spawn_blocking(move || PasswordDigest::hash(&password))
                .await
                .map_err(|error| DemoError::Invent(error.to_string()))?
                .map_err(|error| DemoError::Invent(error.to_string()))?;
            storage
                .add_user(NewUser {
                    name: (*name).to_owned(),
                    role: *role,
                    team: (*role != Role::Admin).then(|| DEMO_TEAM.to_owned()),
                    digest,
                })
                .await?;
        }
        users.push(DemoUser {
            name: (*name).to_owned(),
            role: *role,
            password: (*password).to_owned(),
        });
    }
    let invented = tokio::task::spawn_blocking(move || invent(cases, seed))
        .await
        .map_err(|error| DemoError::Invent(error.to_string()))??;
    let total = invented.len();
    let mut created = 0;
    // One transaction per thousand cases: seconds for ten thousand, not minutes.
    let mut batch = Vec::with_capacity(SEED_BATCH);
    for (case_id, bytes, worker) in invented {
        batch.push(seed_write(case_id, bytes, &worker)?);
        if batch.len() == SEED_BATCH {
            created += storage.seed_cases(std::mem::take(&mut batch)).await?;
        }
    }
    if !batch.is_empty() {
        created += storage.seed_cases(batch).await?;
    }
    let already = total - created;
    Ok(DemoSummary {
        team: DEMO_TEAM.to_owned(),
        users,
        cases_created: created,
        cases_already_there: already,
    })
}
