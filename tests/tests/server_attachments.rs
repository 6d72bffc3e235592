#![allow(clippy::unwrap_used)] // test helpers may unwrap, like #[test] functions (clippy.toml)
//! A caseworker's photo goes up in pieces over a weak signal, resumes after a
//! drop, is checked against its address, and only people who may see the
//! case can download it.

use doorstep_stories::{
    ServerProcess, Session, add_team, add_user, new_case, push, request, sign_in,
};
use sha2::{Digest, Sha256};

const PASSWORD: &str = "a long council password";
const PIECE: usize = 1024 * 1024;

fn put_piece(
    server: &ServerProcess,
    session: &Session,
    sha: &str,
    case_id: &str,
    size: usize,
    offset: usize,
    bytes: &[u8],
) -> doorstep_stories::RawResponse {
    request(
        server.address,
        "PUT",
        &format!("/v1/attachments/{sha}?case_id={case_id}&size={size}&offset={offset}"),
        Some(&session.access),
        Some("application/octet-stream"),
        bytes,
    )
}

#[test]
fn a_photo_uploads_in_pieces_resumes_after_a_drop_and_only_the_team_can_download_it() {
    let dir = tempfile::tempdir().unwrap();
    add_team(dir.path(), None, "North");
    add_team(dir.path(), None, "South");
    add_user(
        dir.path(),
        None,
        "amy",
        "caseworker",
        Some("North"),
        PASSWORD,
    );
    add_user(
        dir.path(),
        None,
        "sam",
        "team-lead",
        Some("North"),
        PASSWORD,
    );
    add_user(
        dir.path(),
        None,
        "sid",
        "caseworker",
        Some("South"),
        PASSWORD,
    );
    let server = ServerProcess::start(dir.path());
    let amy = sign_in(server.address, "amy", PASSWORD, "amy-laptop");
    let sam = sign_in(server.address, "sam", PASSWORD, "sam-laptop");
    let sid = sign_in(server.address, "sid", PASSWORD, "sid-laptop");
    let sids_case = new_case(
        "SID-1",
        "housing",
        "Sid's own case",
        "sid",
        Some("South"),
        Some("sid"),
    )
    .save();
    assert_eq!(push(server.address, &sid, "SID-1", &sids_case).status, 200);
    for case_id in ["PHOTO-1", "PHOTO-2"] {
        let case = new_case(
            case_id,
            "adult_social_care",
            "Pressure sore photos",
            "amy",
            Some("North"),
            Some("amy"),
        )
        .save();
        assert_eq!(push(server.address, &amy, case_id, &case).status, 200);
    }

    let photo: Vec<u8> = (0..(2 * PIECE + 12_345))
        .map(|n| (n * 31 % 251) as u8)
        .collect();
    let sha = hex::encode(Sha256::digest(&photo));
    let size = photo.len();

    // The first piece arrives; then the signal drops and the third is sent too early.
    let first = put_piece(&server, &amy, &sha, "PHOTO-1", size, 0, &photo[..PIECE]);
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.json()["received"], PIECE);
    let early = put_piece(
        &server,
        &amy,
        &sha,
        "PHOTO-1",
        size,
        2 * PIECE,
        &photo[2 * PIECE..],
    );
    assert_eq!(early.status, 409, "{}", early.body);
    assert!(
        early.json()["message"]
            .as_str()
            .unwrap()
            .contains(&format!("offset {PIECE}"))
    );

    // Back in signal: ask where it stands, and carry on from there.
    let status = request(
        server.address,
        "GET",
        &format!("/v1/attachments/{sha}/status?case_id=PHOTO-1"),
        Some(&amy.access),
        None,
        b"",
    );
    assert_eq!(status.json()["received"], PIECE);
    assert_eq!(status.json()["complete"], false);
    let not_yet = request(
        server.address,
        "GET",
        &format!("/v1/attachments/{sha}"),
        Some(&amy.access),
        None,
        b"",
    );
    assert_eq!(
        not_yet.status, 404,
        "an unfinished upload cannot be downloaded"
    );
    for offset in [PIECE, 2 * PIECE] {
        let end = (offset + PIECE).min(size);
        let response = put_piece(
            &server,
            &amy,
            &sha,
            "PHOTO-1",
            size,
            offset,
            &photo[offset..end],
        );
        assert_eq!(response.status, 200, "{}", response.body);
    }
    let done = request(
        server.address,
        "GET",
        &format!("/v1/attachments/{sha}/status?case_id=PHOTO-1"),
        Some(&amy.access),
        None,
        b"",
    );
    assert_eq!(done.json()["complete"], true);

    // Knowing the hash is not enough: sid starts an "upload" of it to his own
    // case with one byte, which neither reaches the file nor blocks anyone.
    let probe = put_piece(&server, &sid, &sha, "SID-1", 1, 0, &photo[..1]);
    assert_eq!(
        probe.status, 400,
        "one byte does not hash to the address: {}",
        probe.body
    );
    let probe = put_piece(&server, &sid, &sha, "SID-1", size, 0, &photo[..10]);
    assert_eq!(probe.json()["complete"], false);

    // The same photo on a second case: amy sends it again (proof she has it),
    // and it is linked to that case too.
    for offset in [0, PIECE, 2 * PIECE] {
        let end = (offset + PIECE).min(size);
        let response = put_piece(
            &server,
            &amy,
            &sha,
            "PHOTO-2",
            size,
            offset,
            &photo[offset..end],
        );
        assert_eq!(response.status, 200, "{}", response.body);
    }
    let again = request(
        server.address,
        "GET",
        &format!("/v1/attachments/{sha}/status?case_id=PHOTO-2"),
        Some(&amy.access),
        None,
        b"",
    );
    assert_eq!(again.json()["complete"], true);

    // The team lead downloads exactly the bytes; another team cannot even learn it exists.
    let download = |session: &Session| {
        let mut stream = std::net::TcpStream::connect(server.address).unwrap();
        use std::io::{Read, Write};
        write!(
            stream,
            "GET /v1/attachments/{sha} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
            session.access
        )
        .unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        (
            String::from_utf8_lossy(&raw[..split]).into_owned(),
            raw[split + 4..].to_vec(),
        )
    };
    let (head, body) = download(&sam);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert_eq!(
        Sha256::digest(&body).as_slice(),
        Sha256::digest(&photo).as_slice()
    );
    let (head, _) = download(&sid);
    assert!(head.starts_with("HTTP/1.1 404"), "{head}");
    let sids_upload = put_piece(&server, &sid, &sha, "PHOTO-1", size, 0, &photo[..PIECE]);
    assert_eq!(sids_upload.status, 404, "not sid's case to attach to");
}

#[test]
fn bytes_that_do_not_match_their_address_or_break_the_rules_are_refused_and_not_kept() {
    let dir = tempfile::tempdir().unwrap();
    add_team(dir.path(), None, "North");
    add_user(
        dir.path(),
        None,
        "amy",
        "caseworker",
        Some("North"),
        PASSWORD,
    );
    let server = ServerProcess::start(dir.path());
    let amy = sign_in(server.address, "amy", PASSWORD, "amy-laptop");
    let case = new_case(
        "DOC-1",
        "housing",
        "Tenancy documents",
        "amy",
        Some("North"),
        Some("amy"),
    )
    .save();
    push(server.address, &amy, "DOC-1", &case);

    let letter = b"Dear tenant, your repair is booked.".to_vec();
    let wrong_sha = hex::encode(Sha256::digest(b"something else"));
    let refused = put_piece(&server, &amy, &wrong_sha, "DOC-1", letter.len(), 0, &letter);
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(
        refused.json()["message"]
            .as_str()
            .unwrap()
            .contains("do not match")
    );
    let gone = request(
        server.address,
        "GET",
        &format!("/v1/attachments/{wrong_sha}/status?case_id=DOC-1"),
        Some(&amy.access),
        None,
        b"",
    );
    assert_eq!(gone.status, 404, "nothing of it was kept: {}", gone.body);

    let sha = hex::encode(Sha256::digest(&letter));
    let as_text = request(
        server.address,
        "PUT",
        &format!(
            "/v1/attachments/{sha}?case_id=DOC-1&size={}&offset=0",
            letter.len()
        ),
        Some(&amy.access),
        Some("text/plain"),
        &letter,
    );
    assert_eq!(as_text.status, 415);
    let too_big = put_piece(
        &server,
        &amy,
        &sha,
        "DOC-1",
        3 * PIECE,
        0,
        &vec![0; PIECE + 1],
    );
    assert_eq!(too_big.status, 413);
    let bad_address = put_piece(
        &server,
        &amy,
        "not-a-hash",
        "DOC-1",
        letter.len(),
        0,
        &letter,
    );
    assert_eq!(bad_address.status, 400);
    let past_end = put_piece(&server, &amy, &sha, "DOC-1", 4, 0, &letter);
    assert_eq!(past_end.status, 400);
    let no_case = put_piece(&server, &amy, &sha, "NOPE-1", letter.len(), 0, &letter);
    assert_eq!(no_case.status, 404);
    let ok = put_piece(&server, &amy, &sha, "DOC-1", letter.len(), 0, &letter);
    assert_eq!(ok.json()["complete"], true, "{}", ok.body);
}
