//! Many offline edits on several laptops, synced on a random schedule, over
//! a good connection and over a bad one, with laptops and the server killed
//! part-way through: in the end every laptop holds the same documents and
//! no note is lost or duplicated.
//!
//! The laptops are the real `Device` API (the one the app and the CLI call)
//! on real encrypted stores with keys in the real OS keyring; the server is a
//! real process on loopback; the bad network is a real TCP proxy. Randomness
//! is seeded: set DOORSTEP_SEED to repeat a run.

#![allow(clippy::unwrap_used)] // test helpers may unwrap, like #[test] functions (clippy.toml)

use std::collections::BTreeMap;
use std::time::Duration;

use doorstep_client::settings::{SettingsSource, parse_server_url};
use doorstep_client::{Device, DeviceSettings};
use doorstep_stories::proxy::FaultyProxy;
use doorstep_stories::{Laptop, ServerProcess, server_with_people};

const PASSWORD: &str = "correct horse battery staple";
const PEOPLE: [(&str, &str, Option<&str>); 3] = [
    ("amy", "caseworker", Some("North")),
    ("ben", "caseworker", Some("North")),
    ("sam", "team-lead", Some("North")),
];

fn seed() -> u64 {
    std::env::var("DOORSTEP_SEED")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(20_261_128)
}

struct Person {
    name: &'static str,
    device: Device,
    // Last, so the store closes before its folder is deleted.
    _dir: tempfile::TempDir,
}

impl Person {
    fn sign_in(name: &'static str, server: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let settings = DeviceSettings::resolve(SettingsSource {
            data_dir: Some(dir.path().to_owned()),
            ..SettingsSource::default()
        })
        .unwrap();
        let mut device = Device::open(&settings).unwrap();
        device
            .sign_in(&parse_server_url(server).unwrap(), name, PASSWORD)
            .unwrap();
        Self {
            name,
            device,
            _dir: dir,
        }
    }

    fn sync(&mut self) -> Result<bool, String> {
        self.device
            .sync(&mut |_| {})
            .map(|outcome| outcome.everything_acknowledged)
            .map_err(|error| error.to_string())
    }

    /// Syncs until the server has everything, through whatever the network does.
    fn sync_until_acknowledged(&mut self) {
        for _ in 0..200 {
            if self.sync() == Ok(true) {
                return;
            }
        }
        panic!("{} could not sync in 200 attempts", self.name);
    }

    /// Each case's automerge heads, and every note's text with how often it appears.
    fn holdings(&mut self) -> (BTreeMap<String, Vec<String>>, BTreeMap<String, usize>) {
        let mut heads = BTreeMap::new();
        let mut notes = BTreeMap::new();
        let cases = self
            .device
            .list_cases(&doorstep_client::types::CaseFilter {
                limit: None,
                ..Default::default()
            })
            .unwrap();
        for case in cases {
            let bytes = self.device.export_automerge(&case.case_id).unwrap();
            let mut doc = automerge::AutoCommit::load(&bytes).unwrap();
            let mut hex: Vec<String> = doc.get_heads().iter().map(ToString::to_string).collect();
            hex.sort();
            heads.insert(case.case_id.clone(), hex);
            for note in self.device.show_case(&case.case_id).unwrap().notes {
                *notes.entry(note.text).or_insert(0) += 1;
            }
        }
        (heads, notes)
    }
}

/// A random edit; returns the note's text when it wrote one.
fn random_edit(
    rng: &mut fastrand::Rng,
    person: &mut Person,
    cases: &[String],
    counter: &mut usize,
) -> Option<String> {
    // A laptop can only edit the cases that have reached it.
    let held: Vec<String> = person
        .device
        .list_cases(&doorstep_client::types::CaseFilter {
            limit: None,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|case| case.case_id)
        .filter(|id| cases.contains(id))
        .collect();
    if held.is_empty() {
        return None;
    }
    let case = &held[rng.usize(..held.len())];
    *counter += 1;
    let stamp = format!("{} #{counter}", person.name);
    match rng.u8(..4) {
        0 => {
            let text = format!("Note by {stamp}");
            person.device.add_note(case, &text).unwrap();
            Some(text)
        }
        1 => {
            person
                .device
                .set_field(case, "summary", &format!("Summary from {stamp}"))
                .unwrap();
            None
        }
        2 => {
            let day = rng.u8(1..28);
            person
                .device
                .set_field(case, "due_date", &format!("2027-01-{day:02}"))
                .unwrap();
            None
        }
        _ => {
            let view = person.device.show_case(case).unwrap();
            let mut narrative = view.narrative;
            narrative.push_str(&format!(" [{stamp}]"));
            person.device.set_narrative(case, &narrative).unwrap();
            None
        }
    }
}

/// The three people signed in on their laptops, and three housing cases
/// (shared with the team) that Amy opened but has not synced yet.
fn team_with_shared_cases(server_url: &str) -> (Vec<Person>, Vec<String>) {
    let mut people: Vec<Person> = PEOPLE
        .iter()
        .map(|(name, _, _)| Person::sign_in(name, server_url))
        .collect();
    let cases = (0..3)
        .map(|n| {
            people[0]
                .device
                .create_case("housing", &format!("Shared case {n}"))
                .unwrap()
        })
        .collect();
    (people, cases)
}

/// Everyone works offline and syncs at random; returns the notes written.
fn work_and_sync(
    people: &mut [Person],
    cases: &[String],
    rounds: usize,
    rng: &mut fastrand::Rng,
) -> Vec<String> {
    let mut written_notes = Vec::new();
    let mut counter = 0;
    for _ in 0..rounds {
        let who = rng.usize(..people.len());
        if rng.bool() {
            for _ in 0..rng.usize(1..4) {
                if let Some(note) = random_edit(rng, &mut people[who], cases, &mut counter) {
                    written_notes.push(note);
                }
            }
        } else {
            let _ = people[who].sync();
        }
    }
    written_notes
}

fn assert_converged(people: &mut [Person], written_notes: &[String]) {
    let holdings: Vec<_> = people.iter_mut().map(Person::holdings).collect();
    let (first_heads, first_notes) = &holdings[0];
    assert_eq!(first_heads.len(), 3, "every laptop holds the three cases");
    for (person, (heads, notes)) in people.iter().zip(&holdings) {
        assert_eq!(heads, first_heads, "{}'s documents differ", person.name);
        assert_eq!(notes, first_notes, "{}'s notes differ", person.name);
    }
    for note in written_notes {
        assert_eq!(
            first_notes.get(note),
            Some(&1),
            "{note:?} must appear exactly once"
        );
    }
    assert_eq!(first_notes.len(), written_notes.len());
}

fn settle(people: &mut [Person]) {
    // Twice round: the first pass sends everything up, the second brings it all down.
    for _ in 0..2 {
        for person in people.iter_mut() {
            person.sync_until_acknowledged();
        }
    }
}

#[test]
fn random_offline_edits_on_three_laptops_converge_after_syncing_in_any_order() {
    let (_dir, server) = server_with_people(&PEOPLE, PASSWORD);
    let mut rng = fastrand::Rng::with_seed(seed());
    let (mut people, cases) = team_with_shared_cases(&server.url());
    let notes = work_and_sync(&mut people, &cases, 150, &mut rng);
    settle(&mut people);
    assert_converged(&mut people, &notes);
}

#[test]
fn a_bad_network_loses_and_duplicates_nothing_over_two_thousand_sync_attempts() {
    let (_dir, server) = server_with_people(&PEOPLE, PASSWORD);
    let proxy = FaultyProxy::start(server.address, seed());
    proxy.set_faulty(false);
    let mut rng = fastrand::Rng::with_seed(seed() ^ 0x5eed);
    let (mut people, cases) = team_with_shared_cases(&proxy.url());
    proxy.set_faulty(true);
    let mut written_notes = Vec::new();
    let mut counter = 0;
    let mut failures = 0;
    for _ in 0..2_000 {
        let who = rng.usize(..people.len());
        if rng.u8(..3) == 0
            && let Some(note) = random_edit(&mut rng, &mut people[who], &cases, &mut counter)
        {
            written_notes.push(note);
        }
        if people[who].sync().is_err() {
            failures += 1;
        }
    }
    let counts = proxy.fault_counts();
    eprintln!("{failures} of 2000 sync attempts failed; faults per connection: {counts:?}");
    assert!(
        failures > 200,
        "the network was meant to be bad: {counts:?}"
    );
    for (fault, count) in &counts {
        assert!(*count > 0, "{fault:?} never happened");
    }
    proxy.set_faulty(false);
    settle(&mut people);
    assert_converged(&mut people, &written_notes);
}

#[test]
fn laptops_and_the_server_killed_mid_sync_still_converge() {
    let (dir, server) = server_with_people(&PEOPLE, PASSWORD);
    let proxy = FaultyProxy::start(server.address, seed());
    proxy.set_faulty(false);
    let url = proxy.url();
    let mut rng = fastrand::Rng::with_seed(seed() ^ 0xdead);

    // Laptops are CLI processes here, so they can be killed.
    let laptops: Vec<Laptop> = PEOPLE.iter().map(|_| Laptop::new()).collect();
    for (laptop, (name, _, _)) in laptops.iter().zip(PEOPLE) {
        laptop.sign_in(&url, name, PASSWORD);
    }
    let case = laptops[0].new_case("housing", "Killed mid-sync");
    for laptop in &laptops {
        laptop.synced();
    }
    let mut written = Vec::new();
    let mut server = Some(server);
    for round in 0..24 {
        for (index, laptop) in laptops.iter().enumerate() {
            let text = format!("Round {round}, laptop {index}");
            laptop.json(&["case", "note", &case, &text]);
            written.push(text);
        }
        let laptop = &laptops[rng.usize(..laptops.len())];
        let mut child = std::process::Command::new(doorstep_stories::binary("doorstep"))
            .arg("--data-dir")
            .arg(laptop.path())
            .arg("sync")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.u64(0..60)));
        if round % 3 == 2 {
            // SIGKILL the server (dropping the process kills it), then restart it.
            drop(server.take());
            let restarted = ServerProcess::start(dir.path());
            proxy.set_upstream(restarted.address);
            server = Some(restarted);
        } else {
            child.kill().ok();
        }
        child.wait().ok();
    }
    for _ in 0..2 {
        for laptop in &laptops {
            laptop.synced();
        }
    }
    let notes_on = |laptop: &Laptop| -> Vec<String> {
        let case = laptop.json(&["case", "show", &case]);
        let mut texts: Vec<String> = case["notes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|note| note["text"].as_str().unwrap().to_owned())
            .collect();
        texts.sort();
        texts
    };
    let mut expected = written.clone();
    expected.sort();
    for laptop in &laptops {
        assert_eq!(notes_on(laptop), expected, "every note, exactly once");
        let status = laptop.json(&["status"]);
        assert_eq!(status["everythingAcknowledged"], true);
        let audit = laptop.run(&["audit", "verify"]);
        assert_eq!(audit.code, Some(0), "{}", audit.stderr);
    }
    let exported: Vec<Vec<u8>> = laptops
        .iter()
        .map(|laptop| {
            let output = std::process::Command::new(doorstep_stories::binary("doorstep"))
                .arg("--data-dir")
                .arg(laptop.path())
                .args(["case", "export", &case, "--format", "automerge"])
                .output()
                .unwrap();
            output.stdout
        })
        .collect();
    let heads: Vec<Vec<automerge::ChangeHash>> = exported
        .iter()
        .map(|bytes| {
            let mut heads = automerge::AutoCommit::load(bytes).unwrap().get_heads();
            heads.sort();
            heads
        })
        .collect();
    assert!(heads.windows(2).all(|pair| pair[0] == pair[1]), "{heads:?}");
}
