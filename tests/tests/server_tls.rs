#![allow(clippy::unwrap_used)] // test helpers may unwrap, like #[test] functions (clippy.toml)
//! IT runs the server over HTTPS with the council's certificate, and the
//! server refuses to serve plain HTTP beyond this machine by mistake.

use std::process::Command;

use doorstep_stories::binary;

fn make_certificate(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    let status = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=doorstep.test",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl runs");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    (cert, key)
}

#[test]
fn the_server_speaks_https_with_the_given_certificate_and_a_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = make_certificate(dir.path());
    let config = dir.path().join("server.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\ndata_dir = \"{}\"\ntls_cert = \"{}\"\ntls_key = \"{}\"\n",
            dir.path().join("data").display(),
            cert.display(),
            key.display()
        ),
    )
    .unwrap();
    let mut server = Command::new(binary("doorstep-server"))
        .args(["serve", "--config"])
        .arg(&config)
        .env_remove("DOORSTEP_DATABASE_URL")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(server.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_owned();
    assert!(url.starts_with("https://127.0.0.1:"), "{line}");

    let trusted = Command::new("curl")
        .args(["--silent", "--show-error", "--cacert"])
        .arg(&cert)
        .arg(format!("{url}/healthz"))
        .output()
        .unwrap();
    assert!(
        trusted.status.success(),
        "{}",
        String::from_utf8_lossy(&trusted.stderr)
    );
    assert!(String::from_utf8_lossy(&trusted.stdout).contains("\"status\":\"ok\""));

    // A client that does not trust the certificate is not talked into it.
    let untrusted = Command::new("curl")
        .args(["--silent", "--show-error"])
        .arg(format!("{url}/healthz"))
        .output()
        .unwrap();
    assert!(!untrusted.status.success());

    // Plain HTTP to the TLS port gets nothing useful.
    let plain = Command::new("curl")
        .args(["--silent", "--max-time", "5"])
        .arg(format!("{}/healthz", url.replace("https://", "http://")))
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&plain.stdout).contains("\"status\":\"ok\""));

    Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(
        server.wait().unwrap().success(),
        "a clean stop over TLS too"
    );
}

#[test]
fn plain_http_beyond_loopback_is_refused_with_advice_unless_insecure_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let refused = Command::new(binary("doorstep-server"))
        .args(["serve", "--listen", "0.0.0.0:0", "--data-dir"])
        .arg(dir.path())
        .env_remove("DOORSTEP_DATABASE_URL")
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("--tls-cert") && stderr.contains("--insecure"),
        "{stderr}"
    );
    assert!(
        !dir.path().join("doorstep-server.sqlite3").exists(),
        "nothing was created"
    );

    let config = dir.path().join("bad.toml");
    std::fs::write(&config, "listen_adress = \"127.0.0.1:1\"\n").unwrap();
    let misspelt = Command::new(binary("doorstep-server"))
        .args(["serve", "--config"])
        .arg(&config)
        .env_remove("DOORSTEP_DATABASE_URL")
        .output()
        .unwrap();
    assert_eq!(misspelt.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&misspelt.stderr).contains("listen_adress"));
}
