//! Photos and documents travel after the case text, in resumable pieces,
//! over a real server and, for the resuming, a real bad connection.

#![allow(clippy::unwrap_used)] // test helpers may unwrap, like #[test] functions (clippy.toml)

use doorstep_stories::proxy::{Fault, FaultyProxy};
use doorstep_stories::{Laptop, server_with_people};
use serde_json::Value;

const PASSWORD: &str = "correct horse battery staple";

fn invented_photo(bytes: usize, seed: u64) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..bytes).map(|_| rng.u8(..)).collect()
}

fn attach(laptop: &Laptop, case: &str, bytes: &[u8]) -> String {
    let file = laptop.path().join("photo.jpg");
    std::fs::write(&file, bytes).unwrap();
    let attached = laptop.json(&[
        "case",
        "attach",
        case,
        "--file",
        file.to_str().unwrap(),
        "--media-type",
        "image/jpeg",
    ]);
    std::fs::remove_file(&file).unwrap();
    attached["sha256"].as_str().unwrap().to_owned()
}

fn fetch(laptop: &Laptop, case: &str, sha256: &str) -> Option<Vec<u8>> {
    let out = laptop.path().join("fetched.bin");
    let result = laptop.run(&[
        "case",
        "attachment",
        case,
        sha256,
        "--out",
        out.to_str().unwrap(),
    ]);
    (result.code == Some(0)).then(|| std::fs::read(&out).unwrap())
}

#[test]
fn a_photo_taken_on_a_visit_reaches_a_colleagues_laptop_after_the_notes() {
    let (_dir, server) = server_with_people(
        &[
            ("amy", "caseworker", Some("North")),
            ("ben", "caseworker", Some("North")),
        ],
        PASSWORD,
    );
    let amy = Laptop::new();
    let ben = Laptop::new();
    amy.sign_in(&server.url(), "amy", PASSWORD);
    ben.sign_in(&server.url(), "ben", PASSWORD);
    let case = amy.new_case("housing", "Damp: photos of the bedroom wall");
    // Larger than one 1 MiB piece, so it travels in three.
    let photo = invented_photo(2_500_000, 1);
    let sha256 = attach(&amy, &case, &photo);

    let status = amy.json(&["status"]);
    assert_eq!(status["filesToSend"], 1);
    assert_eq!(status["everythingAcknowledged"], false);
    let sent = amy.synced();
    assert_eq!(sent["filesSent"], 1, "{sent}");
    assert_eq!(amy.json(&["status"])["filesToSend"], 0);

    let received = ben.synced();
    assert_eq!(received["filesReceived"], 1, "{received}");
    assert_eq!(fetch(&ben, &case, &sha256).unwrap(), photo);

    // A laptop whose storage budget for files is used up syncs the case text
    // but leaves the file for later, and says so.
    let small = Laptop::new();
    small.sign_in(&server.url(), "ben", PASSWORD);
    let output = small.run_with_env(
        &[("DOORSTEP_ATTACHMENT_BUDGET_MIB", "1")],
        &["--json", "sync"],
    );
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    let outcome: Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(outcome["filesOverBudget"], 1, "{outcome}");
    assert_eq!(outcome["newCases"], 1);
    assert!(fetch(&small, &case, &sha256).is_none());
}

#[test]
fn a_file_upload_and_download_cut_off_part_way_resume_where_they_stopped() {
    let (_dir, server) = server_with_people(
        &[
            ("amy", "caseworker", Some("North")),
            ("ben", "caseworker", Some("North")),
        ],
        PASSWORD,
    );
    let proxy = FaultyProxy::start(server.address, 7);
    proxy.set_faulty(false);
    let amy = Laptop::new();
    let ben = Laptop::new();
    amy.sign_in(&proxy.url(), "amy", PASSWORD);
    ben.sign_in(&proxy.url(), "ben", PASSWORD);
    let case = amy.new_case("housing", "Scanned tenancy agreement");
    let scan = invented_photo(4_200_000, 2);
    let sha256 = attach(&amy, &case, &scan);

    // The signal goes 2.5 MiB into the upload: the case text and two pieces land.
    let cut = 2_500_000;
    proxy.force_next(Fault::ResetMidRequest, cut);
    let broken = amy.sync();
    assert_eq!(broken.code, Some(1), "{}", broken.stdout);
    assert_eq!(amy.json(&["status"])["filesToSend"], 1);
    let resumed = amy.synced();
    assert_eq!(resumed["filesSent"], 1);
    let sent = resumed["bytesSent"].as_u64().unwrap();
    assert!(
        sent < 4_200_000 - 2 * 1024 * 1024 + 100_000,
        "resumed, not restarted: {sent} bytes"
    );

    // Likewise 2.5 MiB into Ben's download.
    proxy.force_next(Fault::TruncateAnswer, cut);
    assert_eq!(ben.sync().code, Some(1));
    assert!(
        fetch(&ben, &case, &sha256).is_none(),
        "half a file is never shown"
    );
    let resumed = ben.synced();
    assert_eq!(resumed["filesReceived"], 1, "{resumed}");
    let received = resumed["bytesReceived"].as_u64().unwrap();
    assert!(
        received < 4_200_000 - 1024 * 1024 + 100_000,
        "resumed, not restarted: {received} bytes"
    );
    assert_eq!(fetch(&ben, &case, &sha256).unwrap(), scan);
}
