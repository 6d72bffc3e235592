//! Helpers for stories that run the real `doorstep-server` and `doorstep`
//! binaries as separate processes, the way council IT and caseworkers do.
//!
//! The binaries come from the same cargo target folder as the test itself;
//! `cargo nextest run --workspace` builds them first.

pub mod proxy;

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
        Self::start_with(data_dir, None)
    }

    /// As [`ServerProcess::start`], on PostgreSQL when `database_url` is given.
    pub fn start_with(data_dir: &Path, database_url: Option<&str>) -> Self {
        Self::start_with_args(data_dir, database_url, &[])
    }

    /// As [`ServerProcess::start_with`], with more `serve` arguments (such as `--config FILE`).
    pub fn start_with_args(data_dir: &Path, database_url: Option<&str>, extra: &[&str]) -> Self {
        let mut command = Command::new(binary("doorstep-server"));
        command
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(extra)
            .env_remove("DOORSTEP_DATABASE_URL");
        if let Some(url) = database_url {
            command.args(["--database-url", url]);
        }
        let mut child = command
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

/// Any request, with an optional bearer token and body, read to the end.
pub fn request(
    address: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
) -> RawResponse {
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(token) = token {
        head.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    if let Some(content_type) = content_type {
        head.push_str(&format!("Content-Type: {content_type}\r\n"));
    }
    head.push_str("\r\n");
    let mut stream = TcpStream::connect(address).expect("connect to the server");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("set a read timeout");
    stream.write_all(head.as_bytes()).expect("send the head");
    // The server may answer (413) and close before reading a large body.
    let _ = stream.write_all(body);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    parse_response(&String::from_utf8_lossy(&raw))
}

/// `POST path` with a JSON body.
pub fn post_json(
    address: SocketAddr,
    path: &str,
    token: Option<&str>,
    body: &serde_json::Value,
) -> RawResponse {
    request(
        address,
        "POST",
        path,
        token,
        Some("application/json"),
        body.to_string().as_bytes(),
    )
}

/// Runs `doorstep-server admin …` against a data folder (or PostgreSQL) and
/// returns the exit code, stdout and stderr.
pub fn server_admin(
    data_dir: &Path,
    database_url: Option<&str>,
    args: &[&str],
    stdin: Option<&str>,
) -> (Option<i32>, String, String) {
    let mut command = Command::new(binary("doorstep-server"));
    command
        .arg("admin")
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("DOORSTEP_DATABASE_URL");
    if let Some(url) = database_url {
        command.args(["--database-url", url]);
    }
    let mut child = command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("doorstep-server runs");
    let mut pipe = child.stdin.take().expect("stdin is piped");
    if let Some(text) = stdin {
        // A usage error exits before reading stdin; a broken pipe then is expected.
        let _ = pipe.write_all(text.as_bytes());
    }
    drop(pipe);
    let output = child.wait_with_output().expect("doorstep-server finishes");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A fresh PostgreSQL database on the server `DATABASE_URL` names, dropped
/// when this is dropped. `scripts/test.sh` always provides one.
#[derive(Debug)]
pub struct ScratchPostgres {
    admin_url: String,
    name: String,
    pub url: String,
}

impl ScratchPostgres {
    pub fn create(label: &str) -> Self {
        let admin_url = std::env::var("DATABASE_URL").expect(
            "DATABASE_URL is not set: run the tests with scripts/with-postgres.sh (scripts/test.sh does)",
        );
        let name = format!(
            "doorstep_story_{label}_{}_{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default()
        );
        psql(&admin_url, &format!("CREATE DATABASE {name}"));
        let url = match admin_url.rsplit_once('/') {
            Some((server, _)) => format!("{server}/{name}"),
            None => panic!("DATABASE_URL has no database part: {admin_url}"),
        };
        Self {
            admin_url,
            name,
            url,
        }
    }

    /// Runs SQL in this database, as a person with database access could.
    pub fn execute(&self, sql: &str) {
        psql(&self.url, sql);
    }
}

impl Drop for ScratchPostgres {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .arg(&self.admin_url)
            .args([
                "-q",
                "-c",
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            ])
            .output();
    }
}

fn psql(url: &str, sql: &str) {
    let output = Command::new("psql")
        .arg(url)
        .args(["-q", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .output()
        .expect("psql runs (Debian's postgresql-client, installed by scripts/install-deps.sh)");
    assert!(
        output.status.success(),
        "psql failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
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
    doorstep_with_input(args, None)
}

/// Runs the `doorstep` CLI with `input` on its standard input (a password).
pub fn doorstep_with_input(args: &[&str], input: Option<&str>) -> CommandOutput {
    doorstep_with(args, input, &[])
}

/// Runs the `doorstep` CLI with standard input and extra environment variables.
pub fn doorstep_with(args: &[&str], input: Option<&str>, env: &[(&str, &str)]) -> CommandOutput {
    let mut child = Command::new(binary("doorstep"))
        .args(args)
        .envs(env.iter().copied())
        .env_remove("DOORSTEP_SERVER_URL")
        .env_remove("DOORSTEP_DATA_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("doorstep runs");
    let mut pipe = child.stdin.take().expect("stdin is piped");
    if let Some(text) = input {
        let _ = pipe.write_all(text.as_bytes());
    }
    drop(pipe);
    let output = child.wait_with_output().expect("doorstep finishes");
    CommandOutput {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A caseworker's laptop: its own data folder, driven through the `doorstep` CLI.
#[derive(Debug)]
pub struct Laptop {
    pub dir: tempfile::TempDir,
}

impl Default for Laptop {
    fn default() -> Self {
        Self::new()
    }
}

impl Laptop {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("a temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    fn with_data_dir<'a>(&'a self, args: &[&'a str]) -> Vec<&'a str> {
        let mut full = vec!["--data-dir", self.dir.path().to_str().expect("utf-8 path")];
        full.extend_from_slice(args);
        full
    }

    pub fn run(&self, args: &[&str]) -> CommandOutput {
        doorstep(&self.with_data_dir(args))
    }

    /// Runs with extra environment variables, such as a setting.
    pub fn run_with_env(&self, env: &[(&str, &str)], args: &[&str]) -> CommandOutput {
        doorstep_with(&self.with_data_dir(args), None, env)
    }

    /// Runs with --json and expects success.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut full = vec!["--json"];
        full.extend_from_slice(args);
        let output = self.run(&full);
        assert_eq!(
            output.code,
            Some(0),
            "doorstep {args:?} failed: {}",
            output.stderr
        );
        serde_json::from_str(&output.stdout)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {}", output.stdout))
    }

    pub fn new_case(&self, case_type: &str, summary: &str) -> String {
        self.json(&["case", "new", "--type", case_type, "--summary", summary])["id"]
            .as_str()
            .expect("an id")
            .to_owned()
    }

    /// Signs in through `doorstep login --password-stdin`, expecting success.
    pub fn sign_in(&self, server: &str, user: &str, password: &str) -> serde_json::Value {
        let output = self.try_sign_in(server, user, password);
        assert_eq!(output.code, Some(0), "login as {user}: {}", output.stderr);
        serde_json::from_str(&output.stdout).expect("login prints JSON")
    }

    pub fn try_sign_in(&self, server: &str, user: &str, password: &str) -> CommandOutput {
        let args = [
            "--json",
            "login",
            "--server",
            server,
            "--user",
            user,
            "--password-stdin",
        ];
        doorstep_with_input(&self.with_data_dir(&args), Some(&format!("{password}\n")))
    }

    /// `doorstep sync --json`, whatever its exit code.
    pub fn sync(&self) -> CommandOutput {
        self.run(&["--json", "sync"])
    }

    /// Syncs and expects every local change to be acknowledged (exit 0).
    pub fn synced(&self) -> serde_json::Value {
        let output = self.sync();
        assert_eq!(
            output.code,
            Some(0),
            "sync failed: {}{}",
            output.stdout,
            output.stderr
        );
        serde_json::from_str(&output.stdout).expect("sync prints JSON")
    }
}

#[derive(Debug)]
pub struct CommandOutput {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// A signed-in device, as the server sees it: its id and its tokens.
#[derive(Debug, Clone)]
pub struct Session {
    pub device_id: String,
    pub access: String,
    pub refresh: String,
}

/// Signs `user` in from a device called `hostname`, expecting success.
pub fn sign_in(address: SocketAddr, user: &str, password: &str, hostname: &str) -> Session {
    let response = post_json(
        address,
        "/v1/session",
        None,
        &serde_json::json!({
            "user": user,
            "password": password,
            "device": { "hostname": hostname, "os": "Debian 12", "app_version": "0.1.0" },
        }),
    );
    assert_eq!(response.status, 200, "sign in as {user}: {}", response.body);
    let body = response.json();
    Session {
        device_id: body["device_id"].as_str().expect("a device id").to_owned(),
        access: body["access_token"]
            .as_str()
            .expect("an access token")
            .to_owned(),
        refresh: body["refresh_token"]
            .as_str()
            .expect("a refresh token")
            .to_owned(),
    }
}

/// Creates an account through the admin CLI, as IT does.
pub fn add_user(
    data_dir: &Path,
    database_url: Option<&str>,
    name: &str,
    role: &str,
    team: Option<&str>,
    password: &str,
) {
    let mut args = vec!["user", "add", name, "--role", role, "--password-stdin"];
    if let Some(team) = team {
        args.extend(["--team", team]);
    }
    let (code, _, err) = server_admin(data_dir, database_url, &args, Some(password));
    assert_eq!(code, Some(0), "add {name}: {err}");
}

pub fn add_team(data_dir: &Path, database_url: Option<&str>, name: &str) {
    let (code, _, err) = server_admin(data_dir, database_url, &["team", "add", name], None);
    assert_eq!(code, Some(0), "add team {name}: {err}");
}

/// Automerge bytes as a sync message carries them.
pub fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn unbase64(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .expect("the server sends valid base64")
}

/// Pushes `changes` for one case and returns the whole sync response.
pub fn push(address: SocketAddr, session: &Session, case_id: &str, changes: &[u8]) -> RawResponse {
    post_json(
        address,
        "/v1/sync",
        Some(&session.access),
        &serde_json::json!({
            "protocol": 1,
            "since": 0,
            "push": [{ "case_id": case_id, "changes": base64(changes) }],
        }),
    )
}

/// A case document made on a device, with the fields access depends on.
pub fn new_case(
    case_id: &str,
    case_type: &str,
    summary: &str,
    author: &str,
    team: Option<&str>,
    assigned_to: Option<&str>,
) -> doorstep_core::case::CaseDocument {
    use doorstep_core::case::{CaseDocument, Editor, FieldPath, NewCase};
    let editor = Editor::new(author, doorstep_core::dates::Timestamp(1_795_000_000_000));
    let mut case = CaseDocument::create(
        NewCase {
            id: case_id.into(),
            case_type: case_type.into(),
            summary: summary.into(),
        },
        &editor,
        automerge::ActorId::random(),
    )
    .expect("a valid new case");
    if let Some(team) = team {
        case.set_field(&FieldPath::case("team"), team, &editor)
            .expect("set the team");
    }
    if let Some(assignee) = assigned_to {
        case.set_field(&FieldPath::case("assigned_to"), assignee, &editor)
            .expect("set the assignee");
    }
    case
}

/// A server on a fresh SQLite folder with these people (name, role, team)
/// and their teams, all sharing `password`, as IT would set them up.
pub fn server_with_people(
    people: &[(&str, &str, Option<&str>)],
    password: &str,
) -> (tempfile::TempDir, ServerProcess) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut teams: Vec<&str> = people.iter().filter_map(|(_, _, team)| *team).collect();
    teams.sort_unstable();
    teams.dedup();
    for team in teams {
        add_team(dir.path(), None, team);
    }
    for (name, role, team) in people {
        add_user(dir.path(), None, name, role, *team, password);
    }
    let server = ServerProcess::start(dir.path());
    (dir, server)
}
