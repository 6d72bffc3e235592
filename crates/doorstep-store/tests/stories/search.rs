//! My cases: search, filters, sort orders, and projections that rebuild identically.

use doorstep_core::case::{CaseDocument, CaseStatus, FieldPath, SectionKind};
use doorstep_core::dates::CalendarDate;
use doorstep_store::{AuditAction, CaseFilter, CaseSort, DeviceStore, fts_query};

use crate::common::*;

/// Three cases a housing and social care team might hold, plus one with a
/// same-field conflict from two laptops.
fn caseload(store: &mut DeviceStore) {
    let mut damp = create_case(
        store,
        "case-damp",
        "housing_disrepair",
        "Damp and mould in flat",
        0,
    );
    add_person(store, &mut damp, "p1", &[("name", "Zofia Wiśniewska")], 1);
    add_note(
        store,
        &mut damp,
        "n1",
        "Tenant reports black mould spreading behind the wardrobe",
        2,
    );
    damp.set_narrative(
        "The property has inadequate ventilation.",
        &editor("a.khan", 3),
    )
    .unwrap();
    store
        .commit_edit(
            &mut damp,
            "Edited the narrative",
            &event("a.khan", AuditAction::Edited, "case-damp", "n", 3),
        )
        .unwrap();
    set_fields(
        store,
        &mut damp,
        &[("team", "Housing north"), ("due_date", "2026-12-10")],
        4,
    );

    let mut noise = create_case(
        store,
        "case-noise",
        "environmental_health",
        "Noise complaint",
        10,
    );
    add_person(
        store,
        &mut noise,
        "p1",
        &[("name", "Oluwaseun Adeyemi")],
        11,
    );
    set_fields(
        store,
        &mut noise,
        &[
            ("assigned_to", "b.jones"),
            ("team", "Environmental health"),
            ("due_date", "2026-12-01"),
        ],
        12,
    );
    noise
        .add_item(
            SectionKind::Risk,
            "r1",
            &[("text", "Dog on premises"), ("active", "yes")],
            &editor("b.jones", 13),
        )
        .unwrap();
    store
        .commit_edit(
            &mut noise,
            "Added a risk warning",
            &event("b.jones", AuditAction::Edited, "case-noise", "r", 13),
        )
        .unwrap();

    let mut care = create_case(
        store,
        "case-care",
        "adult_social_care",
        "Care needs assessment",
        20,
    );
    add_person(store, &mut care, "p1", &[("name", "Bernard O'Brien")], 21);
    set_fields(
        store,
        &mut care,
        &[
            ("status", "in_progress"),
            ("assigned_to", "a.khan"),
            ("team", "Adult social care"),
            ("due_date", "2026-11-30"),
        ],
        22,
    );
    care.set_reference("ASC-0042", &editor("sync", 23)).unwrap();
    store
        .commit_edit(
            &mut care,
            "Reference from the server",
            &event("sync", AuditAction::Edited, "case-care", "r", 23),
        )
        .unwrap();

    // Two laptops set the summary of the same case offline; merged, both values stay.
    let mut conflict = create_case(
        store,
        "case-conflict",
        "housing_disrepair",
        "Broken boiler",
        30,
    );
    let mut other_laptop =
        CaseDocument::load(&conflict.save(), automerge::ActorId::random()).unwrap();
    other_laptop
        .set_field(
            &FieldPath::case("summary"),
            "Boiler broken since Monday",
            &editor("c.patel", 31),
        )
        .unwrap();
    conflict
        .set_field(
            &FieldPath::case("summary"),
            "Boiler not working",
            &editor("a.khan", 31),
        )
        .unwrap();
    conflict.merge(&mut other_laptop).unwrap();
    store
        .commit_edit(
            &mut conflict,
            "Merged",
            &event("a.khan", AuditAction::Edited, "case-conflict", "m", 32),
        )
        .unwrap();
}

fn ids(store: &DeviceStore, filter: CaseFilter) -> Vec<String> {
    store
        .list_cases(&filter)
        .unwrap()
        .into_iter()
        .map(|row| row.case_id)
        .collect()
}

fn search(store: &DeviceStore, text: &str) -> Vec<String> {
    let mut found = ids(
        store,
        CaseFilter {
            text: Some(text.into()),
            ..CaseFilter::default()
        },
    );
    found.sort();
    found
}

#[test]
fn search_finds_words_in_notes_people_narrative_summary_and_reference() {
    let (_temp, data_dir) = fresh_data_dir();
    let mut store = open(&data_dir);
    caseload(&mut store);
    assert_eq!(search(&store, "wardrobe"), ["case-damp"], "a note");
    assert_eq!(search(&store, "Adeyemi"), ["case-noise"], "a person");
    assert_eq!(
        search(&store, "ventilation"),
        ["case-damp"],
        "the narrative"
    );
    assert_eq!(search(&store, "assessment"), ["case-care"], "the summary");
    assert_eq!(search(&store, "ASC-0042"), ["case-care"], "the reference");
    assert_eq!(
        search(&store, "disrepair"),
        ["case-conflict", "case-damp"],
        "the case type"
    );
    assert_eq!(
        search(&store, "wisniewska"),
        ["case-damp"],
        "without the accents"
    );
    assert_eq!(
        search(&store, "Oluw"),
        ["case-noise"],
        "an unfinished last word"
    );
    assert_eq!(search(&store, "o'brien"), ["case-care"]);
    assert_eq!(
        search(&store, "BLACK Wardrobe"),
        ["case-damp"],
        "every word, any case"
    );
    assert_eq!(
        search(&store, "black noise"),
        Vec::<String>::new(),
        "every word must match"
    );
}

/// Text a person might type (or paste) that is FTS5 syntax if passed through raw.
const HOSTILE: &[&str] = &[
    "\"",
    "\"\"",
    "\"\"\"",
    "*",
    "**",
    "-",
    "--",
    ":",
    "::",
    "(",
    ")",
    "()",
    "^",
    "+",
    "{",
    "}",
    "NEAR(",
    "NEAR(mould",
    "NEAR(mould black, 2)",
    "NEAR/2",
    "AND",
    "OR",
    "NOT",
    "mould AND",
    "OR mould",
    "NOT mould",
    "mould NOT",
    "\"mould",
    "mould\"",
    "mo\"uld",
    "summary:mould",
    "summary : mould",
    "{summary narrative}: mould",
    "-summary:mould",
    "mould*",
    "*mould",
    "mo*uld",
    "^mould",
    "mould^",
    "'",
    "''",
    "O'Brien",
    "\\",
    "\\\"",
    ";",
    "; DROP TABLE case_search; --",
    "%",
    "_",
    "\0",
    "mould\0black",
    "\u{200b}",
    "\u{FEFF}mould",
    "mould\u{301}",
    "\u{301}",
    "²",
    "½",
    "①",
    "ℌ",
    "ǅ",
    "\u{1F600}",
    "\u{1F600}mould",
    "שלום",
    "مرحبا",
    "家",
    "ﷺ",
    "ⅷ",
    "𝟘",
    "a\tb\nc\rd",
    "   ",
    "",
];

#[test]
fn hostile_search_text_is_searched_for_as_words_never_run_as_syntax() {
    let (_temp, data_dir) = fresh_data_dir();
    let mut store = open(&data_dir);
    caseload(&mut store);
    let everything = ids(&store, CaseFilter::default());
    for text in HOSTILE {
        let found = store.list_cases(&CaseFilter {
            text: Some((*text).into()),
            ..CaseFilter::default()
        });
        assert!(
            found.is_ok(),
            "{text:?} ({:?}) failed: {found:?}",
            fts_query(text)
        );
    }
    // Text with nothing searchable in it does not filter.
    for nothing in ["\"", "*", "-", ":", "(", "NEAR(", "   "] {
        if fts_query(nothing).is_none() {
            assert_eq!(
                ids(
                    &store,
                    CaseFilter {
                        text: Some(nothing.into()),
                        ..CaseFilter::default()
                    }
                ),
                everything
            );
        }
    }
    assert_eq!(
        search(&store, "NEAR("),
        Vec::<String>::new(),
        "NEAR is just a word"
    );
    assert_eq!(search(&store, "mould\""), ["case-damp"]);
    assert_eq!(search(&store, "-mould"), ["case-damp"], "not a NOT");
    assert_eq!(search(&store, "\"mould"), ["case-damp"]);
    assert_eq!(
        search(&store, "mould OR"),
        Vec::<String>::new(),
        "OR is a word, and no case has it"
    );
    assert_eq!(
        search(&store, "summary:mould"),
        Vec::<String>::new(),
        "not a column filter"
    );
    assert_eq!(
        search(&store, "; DROP TABLE case_search; --"),
        Vec::<String>::new()
    );
    // Regression: a NUL used to end SQLite's copy of the query mid-quote
    // ("unterminated string"); control characters now separate words.
    assert_eq!(search(&store, "mould\0black"), ["case-damp"]);
    assert_eq!(
        search(&store, "wardrobe"),
        ["case-damp"],
        "the index is still there"
    );
}

#[test]
fn random_hostile_text_never_breaks_search() {
    let (_temp, data_dir) = fresh_data_dir();
    let mut store = open(&data_dir);
    caseload(&mut store);
    let alphabet: Vec<char> = "\"*-:()^+{}\\'; ,.NEARORANDOTmouldblack0123²½\u{301}\u{200b}é家😀\t"
        .chars()
        .collect();
    let seed = 0x5eed_d00d;
    let mut rng = fastrand::Rng::with_seed(seed);
    for round in 0..1_500 {
        let length = rng.usize(1..24);
        let text: String = (0..length)
            .map(|_| alphabet[rng.usize(..alphabet.len())])
            .collect();
        let found = store.list_cases(&CaseFilter {
            text: Some(text.clone()),
            limit: Some(5),
            ..CaseFilter::default()
        });
        assert!(
            found.is_ok(),
            "seed {seed:#x} round {round}: {text:?} -> {found:?}"
        );
    }
}

#[test]
fn filters_and_sort_orders_narrow_and_order_my_cases() {
    let (_temp, data_dir) = fresh_data_dir();
    let mut store = open(&data_dir);
    caseload(&mut store);
    let all = CaseFilter::default;

    assert_eq!(
        ids(&store, all()),
        ["case-conflict", "case-care", "case-noise", "case-damp"],
        "most recently changed first"
    );
    assert_eq!(store.case_count().unwrap(), 4);
    assert_eq!(
        ids(
            &store,
            CaseFilter {
                status: Some(CaseStatus::InProgress),
                ..all()
            }
        ),
        ["case-care"]
    );
    assert_eq!(
        ids(
            &store,
            CaseFilter {
                assigned_to: Some("b.jones".into()),
                ..all()
            }
        ),
        ["case-noise"]
    );
    assert_eq!(
        ids(
            &store,
            CaseFilter {
                team: Some("Housing north".into()),
                ..all()
            }
        ),
        ["case-damp"]
    );
    let first_of_december = CalendarDate::parse("2026-12-01").unwrap();
    assert_eq!(
        ids(
            &store,
            CaseFilter {
                due_before: Some(first_of_december),
                ..all()
            }
        ),
        ["case-care"],
        "strictly before; cases with no due date are not due"
    );
    assert_eq!(
        ids(
            &store,
            CaseFilter {
                has_risk: Some(true),
                ..all()
            }
        ),
        ["case-noise"]
    );
    assert_eq!(
        ids(
            &store,
            CaseFilter {
                has_risk: Some(false),
                ..all()
            }
        )
        .len(),
        3
    );
    assert_eq!(
        ids(
            &store,
            CaseFilter {
                with_conflicts_only: true,
                ..all()
            }
        ),
        ["case-conflict"]
    );
    let rows = store
        .list_cases(&CaseFilter {
            with_conflicts_only: true,
            ..all()
        })
        .unwrap();
    assert_eq!(rows[0].conflict_count, 1);
    assert_eq!(
        ids(
            &store,
            CaseFilter {
                sort: CaseSort::DueDate,
                ..all()
            }
        ),
        ["case-care", "case-noise", "case-damp", "case-conflict"],
        "soonest due first, no due date last"
    );
    assert_eq!(
        ids(
            &store,
            CaseFilter {
                sort: CaseSort::Reference,
                ..all()
            }
        ),
        ["case-care", "case-conflict", "case-damp", "case-noise"],
        "referenced cases first, then the rest by id"
    );
    assert_eq!(
        ids(
            &store,
            CaseFilter {
                team: Some("Housing north".into()),
                text: Some("mould".into()),
                ..all()
            }
        ),
        ["case-damp"],
        "filters and search combine"
    );
    assert_eq!(
        ids(
            &store,
            CaseFilter {
                text: Some("disrepair".into()),
                sort: CaseSort::Relevance,
                ..all()
            }
        )
        .len(),
        2
    );
    // Paging.
    assert_eq!(
        ids(
            &store,
            CaseFilter {
                limit: Some(2),
                ..all()
            }
        ),
        ["case-conflict", "case-care"]
    );
    assert_eq!(
        ids(
            &store,
            CaseFilter {
                limit: Some(2),
                offset: 2,
                ..all()
            }
        ),
        ["case-noise", "case-damp"]
    );
    assert_eq!(
        ids(
            &store,
            CaseFilter {
                offset: 10,
                ..all()
            }
        ),
        Vec::<String>::new()
    );
    let noise = &store
        .list_cases(&CaseFilter {
            has_risk: Some(true),
            ..all()
        })
        .unwrap()[0];
    assert_eq!(noise.risk_warnings, ["Dog on premises"]);
    assert_eq!(noise.updated_by, "b.jones");
}

/// Every column of every projection row (keyed by case, not row id) and every
/// entry in the search index, as (term, case, column, offset).
/// A search index entry: (term, case, column, offset).
type IndexEntry = (String, String, String, i64);

fn everything_derived(data_dir: &std::path::Path) -> (Vec<Vec<String>>, Vec<IndexEntry>) {
    let conn = raw_connection(data_dir);
    let mut rows = conn
        .prepare("SELECT * FROM case_projection ORDER BY case_id")
        .unwrap();
    let columns = rows.column_count();
    let projection: Vec<Vec<String>> = rows
        .query_map([], |row| {
            (1..columns)
                .map(|i| {
                    row.get::<_, rusqlite::types::Value>(i)
                        .map(|v| format!("{v:?}"))
                })
                .collect()
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    conn.execute_batch(
        "CREATE VIRTUAL TABLE temp.search_terms USING fts5vocab(main, case_search, instance);",
    )
    .unwrap();
    let mut terms = conn
        .prepare(
            "SELECT t.term, p.case_id, t.col, t.offset FROM temp.search_terms t
             JOIN case_projection p ON p.id = t.doc ORDER BY 1, 2, 3, 4",
        )
        .unwrap();
    let index = terms
        .query_map([], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    (projection, index)
}

#[test]
fn projections_and_the_search_index_rebuild_identically_from_the_documents() {
    let (_temp, data_dir) = fresh_data_dir();
    let mut store = open(&data_dir);
    caseload(&mut store);
    let kept_up_to_date = everything_derived(&data_dir);
    let listed = store.list_cases(&CaseFilter::default()).unwrap();
    assert!(
        kept_up_to_date.1.len() > 40,
        "the index has entries to compare: {kept_up_to_date:?}"
    );

    assert_eq!(store.rebuild_projections().unwrap(), 4);
    assert_eq!(everything_derived(&data_dir), kept_up_to_date);
    assert_eq!(store.list_cases(&CaseFilter::default()).unwrap(), listed);

    // Damage the derived rows behind the store's back; a rebuild repairs them.
    let conn = raw_connection(&data_dir);
    conn.execute("UPDATE case_projection SET summary = 'garbage', note_count = 99 WHERE case_id = 'case-damp'", [])
        .unwrap();
    conn.execute(
        "DELETE FROM case_projection WHERE case_id = 'case-noise'",
        [],
    )
    .unwrap();
    assert_ne!(everything_derived(&data_dir), kept_up_to_date);
    assert_eq!(store.rebuild_projections().unwrap(), 4);
    assert_eq!(everything_derived(&data_dir), kept_up_to_date);
    assert_eq!(store.list_cases(&CaseFilter::default()).unwrap(), listed);
    assert_eq!(search(&store, "Adeyemi"), ["case-noise"]);
    assert_eq!(search(&store, "garbage"), Vec::<String>::new());
    assert!(store.integrity_check().unwrap().is_empty());
}
