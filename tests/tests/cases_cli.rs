//! A caseworker's day through the `doorstep` CLI, on real encrypted stores.
//! Each data folder is its own device. The OS keyring is the real Secret
//! Service (scripts/with-keyring.sh starts a throwaway gnome-keyring).

#![allow(clippy::unwrap_used)] // test helpers may unwrap, like #[test] functions (clippy.toml)

use doorstep_stories::Laptop;

#[test]
fn a_caseworker_records_a_visit_offline_and_finds_the_case_again() {
    let laptop = Laptop::new();
    let id = laptop.new_case("adult_social_care", "Mrs Patel, 84: falls at home");

    let person = laptop.json(&[
        "person",
        "add",
        &id,
        "--name",
        "Asha Patel",
        "--dob",
        "1942-05-01",
        "--nhs-number",
        "943 476 5919",
        "--ni-number",
        "AB 12 34 56 C",
        "--postcode",
        "le1 5ww",
        "--uprn",
        "000012345678",
    ]);
    assert_eq!(person["saved"], true);
    laptop.json(&["case", "note", &id, "Grab rail needed by the back door."]);
    laptop.json(&["case", "set", &id, "status", "in_progress"]);
    laptop.json(&["case", "set", &id, "due_date", "2026-12-15"]);

    let case = laptop.json(&["case", "show", &id]);
    assert_eq!(case["fields"]["status"]["value"], "in_progress");
    assert_eq!(case["fields"]["due_date"]["value"], "2026-12-15");
    assert_eq!(
        case["people"][0]["fields"]["nhs_number"]["value"],
        "9434765919"
    );
    assert_eq!(case["people"][0]["fields"]["postcode"]["value"], "LE1 5WW");
    assert_eq!(
        case["notes"][0]["text"],
        "Grab rail needed by the back door."
    );

    for words in ["grab rail", "Patel", "falls"] {
        let found = laptop.json(&["case", "list", "--search", words]);
        assert_eq!(found.as_array().map(Vec::len), Some(1), "search {words:?}");
        assert_eq!(found[0]["caseId"], id.as_str());
    }
    let in_progress = laptop.json(&["case", "list", "--status", "in_progress"]);
    assert_eq!(in_progress.as_array().map(Vec::len), Some(1));
    let closed = laptop.json(&["case", "list", "--status", "closed"]);
    assert_eq!(closed.as_array().map(Vec::len), Some(0));

    let status = laptop.json(&["status"]);
    assert_eq!(status["cases"], 1);
    assert!(
        status["unsyncedChanges"].as_u64().unwrap_or(0) >= 4,
        "{status}"
    );
}

#[test]
fn invalid_identifiers_and_illegal_steps_are_refused_and_change_nothing() {
    let laptop = Laptop::new();
    let id = laptop.new_case("housing", "Damp and mould, flat 3");
    let before = laptop.json(&["case", "show", &id]);

    let bad_nhs = laptop.run(&[
        "person",
        "add",
        &id,
        "--name",
        "Sam Lee",
        "--nhs-number",
        "943 476 5918",
    ]);
    assert_eq!(bad_nhs.code, Some(1));
    assert!(bad_nhs.stderr.contains("NHS number"), "{}", bad_nhs.stderr);

    let bad_ni = laptop.run(&[
        "--json",
        "person",
        "add",
        &id,
        "--name",
        "Sam Lee",
        "--ni-number",
        "QQ123456C",
    ]);
    assert_eq!(bad_ni.code, Some(1));
    let error: serde_json::Value =
        serde_json::from_str(bad_ni.stderr.trim()).expect("a JSON error");
    assert_eq!(error["error"]["code"], "invalid_input");

    let illegal = laptop.run(&["case", "set", &id, "status", "closed"]);
    assert_eq!(illegal.code, Some(1));
    assert!(
        illegal.stderr.contains("Start work on it first"),
        "{}",
        illegal.stderr
    );

    let no_case = laptop.run(&["case", "note", "NO-SUCH-CASE", "hello"]);
    assert_eq!(no_case.code, Some(1));
    assert!(
        no_case.stderr.contains("doorstep case list"),
        "{}",
        no_case.stderr
    );

    let after = laptop.json(&["case", "show", &id]);
    assert_eq!(after["fields"], before["fields"]);
    assert_eq!(after["people"], before["people"]);
}

#[test]
fn a_council_migrates_cases_from_a_legacy_system_all_or_nothing() {
    let source = Laptop::new();
    let first = source.new_case("welfare", "Benefits check for Mr Okafor");
    source.json(&[
        "person",
        "add",
        &first,
        "--name",
        "Chidi Okafor",
        "--postcode",
        "M1 1AE",
    ]);
    let second = source.new_case("environmental_health", "Noise complaint, Mill Lane");
    let lines: Vec<String> = [&first, &second]
        .iter()
        .map(|id| {
            source
                .json(&["case", "export", id, "--format", "json"])
                .to_string()
        })
        .collect();

    let target = Laptop::new();
    let bad_file = target.dir.path().join("bad.jsonl");
    std::fs::write(
        &bad_file,
        format!("{}\n{}\n{{\"id\": \"broken\"}}\n", lines[0], lines[1]),
    )
    .expect("write");
    let refused = target.run(&[
        "case",
        "import",
        "--file",
        bad_file.to_str().expect("utf-8"),
    ]);
    assert_eq!(refused.code, Some(1));
    assert!(refused.stderr.contains("Line 3"), "{}", refused.stderr);
    assert_eq!(
        target.json(&["case", "list"]).as_array().map(Vec::len),
        Some(0),
        "nothing from the file is saved"
    );

    let good_file = target.dir.path().join("good.jsonl");
    std::fs::write(&good_file, lines.join("\n")).expect("write");
    let imported = target.json(&[
        "case",
        "import",
        "--file",
        good_file.to_str().expect("utf-8"),
    ]);
    assert_eq!(imported["imported"], 2);
    let copy = target.json(&["case", "show", &first]);
    assert_eq!(copy["people"][0]["fields"]["postcode"]["value"], "M1 1AE");
    assert_eq!(
        copy["fields"]["summary"],
        source.json(&["case", "show", &first])["fields"]["summary"],
        "the value and who set it and when survive"
    );
}

#[test]
fn an_automerge_export_is_standard_automerge_that_another_program_can_load() {
    let laptop = Laptop::new();
    let id = laptop.new_case("adult_social_care", "Export me");
    laptop.json(&["case", "note", &id, "A note to carry across"]);
    let output = std::process::Command::new(doorstep_stories::binary("doorstep"))
        .args([
            "--data-dir",
            laptop.dir.path().to_str().expect("utf-8"),
            "case",
            "export",
            &id,
            "--format",
            "automerge",
        ])
        .output()
        .expect("doorstep runs");
    assert!(output.status.success());

    use automerge::ReadDoc;
    let doc = automerge::AutoCommit::load(&output.stdout).expect("standard automerge bytes");
    let (value, _) = doc
        .get(automerge::ROOT, "case_id")
        .expect("readable")
        .expect("has case_id");
    assert_eq!(value.to_string(), format!("\"{id}\""));
}

#[test]
fn every_view_edit_and_export_is_in_a_tamper_evident_audit_log() {
    let laptop = Laptop::new();
    let id = laptop.new_case("housing", "Audit me");
    laptop.json(&["case", "show", &id]);
    laptop.json(&["case", "export", &id, "--format", "json"]);
    let report = laptop.json(&["audit", "verify"]);
    assert_eq!(report["intact"], true);
    assert!(report["events"].as_u64().unwrap_or(0) >= 3, "{report}");

    let rebuilt = laptop.json(&["projections", "rebuild"]);
    assert_eq!(rebuilt["cases"], 1);
    assert_eq!(rebuilt["identical"], true);
}

#[test]
fn two_data_folders_are_two_independent_devices() {
    let (a, b) = (Laptop::new(), Laptop::new());
    let id = a.new_case("housing", "Only on laptop A");
    assert_eq!(b.json(&["case", "list"]).as_array().map(Vec::len), Some(0));
    assert_eq!(b.run(&["case", "show", &id]).code, Some(1));
    assert_eq!(a.json(&["case", "list"]).as_array().map(Vec::len), Some(1));
}
