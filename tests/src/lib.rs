//! Helpers for stories that run the real `doorstep-server` and `doorstep`
//! binaries as separate processes, the way council IT and caseworkers do.
//!
//! The binaries come from the same cargo target folder as the test itself;
//! `cargo nextest run --workspace` builds them first.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The path of a workspace binary next to this test's own executable.
pub fn binary(name: &str) -> PathBuf {
    let test_exe = std::env::current_exe().expect("the test knows its own path");
    // target/<profile>/deps/<test> -> target/<profile>/<name>
    let profile_dir = test_exe
        .parent()
        .and_then(Path::parent)
        .expect("test executables live in target/<profile>/deps");
    let path = profile_dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --workspace` (nextest builds it with --workspace)",
        path.display()
    );
    path
}

/// A real `doorstep-server` process, stopped with SIGTERM when dropped.
#[derive(Debug)]
pub struct ServerProcess {
    child: Child,
    pub address: SocketAddr,
    stdout: BufReader<ChildStdout>,
}

impl ServerProcess {
    /// Starts `doorstep-server serve` on a free loopback port and waits until it listens.
    pub fn start(data_dir: &Path) -> Self {
        let mut child = Command::new(binary("doorstep-server"))
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .env("DOORSTEP_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("doorstep-server starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let mut line = String::new();
        stdout
            .read_line(&mut line)
            .expect("the server prints its address");
        let address = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line from the server: {line:?}"))
            .parse()
            .expect("the server prints a socket address");
        Self {
            child,
            address,
            stdout,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM, as systemd does on `systemctl stop`.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -TERM failed");
    }

    /// Waits for the process to exit, failing the test if it takes too long.
    pub fn wait_for_exit(&mut self, limit: Duration) -> ExitStatus {
        self.wait_for_exit_within(limit)
            .unwrap_or_else(|| panic!("the server did not exit within {limit:?}"))
    }

    /// The exit status, if the process exits within `limit`.
    pub fn wait_for_exit_within(&mut self, limit: Duration) -> Option<ExitStatus> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait on the server") {
                return Some(status);
            }
            if started.elapsed() >= limit {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Everything the server printed on stdout after its first line.
    pub fn remaining_stdout(&mut self) -> String {
        let mut rest = String::new();
        self.stdout.read_to_string(&mut rest).ok();
        rest
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.child.kill().ok();
            self.child.wait().ok();
        }
    }
}

/// A plain HTTP/1.1 response, read from a raw socket so tests control timing exactly.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub body: String,
}

impl RawResponse {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|error| panic!("body is not JSON ({error}): {}", self.body))
    }
}

/// Opens a connection and sends `head` (the request line and headers) without
/// the blank line that ends it, so the server holds an unfinished request.
pub fn begin_request(address: SocketAddr, head: &str) -> TcpStream {
    let mut stream = TcpStream::connect(address).expect("connect to the server");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("set a read timeout");
    stream
        .write_all(head.as_bytes())
        .expect("send the request head");
    stream.flush().expect("flush");
    stream
}

/// Ends a request begun with [`begin_request`] and reads the whole response.
pub fn finish_request(mut stream: TcpStream) -> RawResponse {
    stream.write_all(b"\r\n").expect("finish the request");
    let mut raw = String::new();
    stream.read_to_string(&mut raw).expect("read the response");
    parse_response(&raw)
}

/// `GET path` with `Connection: close`.
pub fn get(address: SocketAddr, path: &str) -> RawResponse {
    let head = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    finish_request(begin_request(address, &head))
}

fn parse_response(raw: &str) -> RawResponse {
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("not an HTTP response: {raw:?}"));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {head:?}"));
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_owned()
    };
    RawResponse { status, body }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
    out
}

/// Runs the `doorstep` CLI and captures what it printed.
pub fn doorstep(args: &[&str]) -> CommandOutput {
    let output = Command::new(binary("doorstep"))
        .args(args)
        .env_remove("DOORSTEP_SERVER_URL")
        .env_remove("DOORSTEP_DATA_DIR")
        .output()
        .expect("doorstep runs");
    CommandOutput {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[derive(Debug)]
pub struct CommandOutput {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}
