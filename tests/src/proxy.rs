//! A TCP proxy between laptops and the server that behaves like a bad mobile
//! connection: it drops connections, delays them, resets them part-way
//! through a request, cuts answers short, and sends requests twice. The
//! faults are chosen by a seeded random generator, so a failing run can be
//! repeated exactly. It runs real sockets on loopback; nothing is simulated
//! inside the client or the server.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// What the proxy does to one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Pass,
    /// Closes the connection before anything is forwarded.
    Drop,
    /// Waits up to 300 ms, then passes it on.
    Delay,
    /// Forwards part of what the laptop sends (sometimes a few bytes, sometimes
    /// megabytes, so a file upload breaks part-way), then closes both sides.
    ResetMidRequest,
    /// Forwards only part of what the server answers (likewise).
    TruncateAnswer,
    /// Sends the request to the server twice; the laptop gets the second answer.
    Duplicate,
}

const FAULTS: [Fault; 6] = [
    Fault::Pass,
    Fault::Drop,
    Fault::Delay,
    Fault::ResetMidRequest,
    Fault::TruncateAnswer,
    Fault::Duplicate,
];

#[derive(Debug)]
struct Shared {
    upstream: Mutex<SocketAddr>,
    faulty: AtomicBool,
    rng: Mutex<fastrand::Rng>,
    counts: Mutex<[u64; 6]>,
    connections: AtomicU64,
    forced: Mutex<VecDeque<(Fault, usize)>>,
}

/// A proxy listening on a loopback port, forwarding to `upstream`.
#[derive(Debug)]
pub struct FaultyProxy {
    pub address: SocketAddr,
    shared: Arc<Shared>,
}

impl FaultyProxy {
    pub fn start(upstream: SocketAddr, seed: u64) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        let address = listener.local_addr().expect("an address");
        let shared = Arc::new(Shared {
            upstream: Mutex::new(upstream),
            faulty: AtomicBool::new(true),
            rng: Mutex::new(fastrand::Rng::with_seed(seed)),
            counts: Mutex::new([0; 6]),
            connections: AtomicU64::new(0),
            forced: Mutex::new(VecDeque::new()),
        });
        let accepting = shared.clone();
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let shared = accepting.clone();
                thread::spawn(move || handle(&shared, client));
            }
        });
        Self { address, shared }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Faults on (the default) or off (a good connection).
    pub fn set_faulty(&self, faulty: bool) {
        self.shared.faulty.store(faulty, Ordering::SeqCst);
    }

    /// The next connection meets `fault`, cut after `cut` bytes where that
    /// applies, whether or not faults are on.
    pub fn force_next(&self, fault: Fault, cut: usize) {
        self.shared
            .forced
            .lock()
            .expect("not poisoned")
            .push_back((fault, cut));
    }

    /// Points the proxy at a restarted server.
    pub fn set_upstream(&self, upstream: SocketAddr) {
        *self.shared.upstream.lock().expect("not poisoned") = upstream;
    }

    /// How many connections met each fault, in [`Fault`] order.
    pub fn fault_counts(&self) -> Vec<(Fault, u64)> {
        let counts = self.shared.counts.lock().expect("not poisoned");
        FAULTS.iter().copied().zip(counts.iter().copied()).collect()
    }
}

fn handle(shared: &Shared, client: TcpStream) {
    shared.connections.fetch_add(1, Ordering::SeqCst);
    let forced = shared.forced.lock().expect("not poisoned").pop_front();
    let (fault, cut, pause) = if let Some((fault, cut)) = forced {
        (fault, cut, 0)
    } else {
        let mut rng = shared.rng.lock().expect("not poisoned");
        let fault = if shared.faulty.load(Ordering::SeqCst) {
            FAULTS[rng.usize(..FAULTS.len())]
        } else {
            Fault::Pass
        };
        // Half the cuts fall in the first bytes of a request or answer, half
        // anywhere in the first 6 MiB of the connection, across several pieces of a file.
        let cut = if rng.bool() {
            rng.usize(1..400)
        } else {
            rng.usize(1..6 * 1024 * 1024)
        };
        (fault, cut, rng.u64(0..300))
    };
    if let Ok(mut counts) = shared.counts.lock() {
        counts[FAULTS.iter().position(|f| *f == fault).unwrap_or(0)] += 1;
    }
    let upstream_address = *shared.upstream.lock().expect("not poisoned");
    let timeout = Some(Duration::from_secs(20));
    client.set_read_timeout(timeout).ok();
    match fault {
        Fault::Drop => {
            client.shutdown(Shutdown::Both).ok();
        }
        Fault::Delay | Fault::Pass => {
            if fault == Fault::Delay {
                thread::sleep(Duration::from_millis(pause));
            }
            if let Ok(upstream) = TcpStream::connect(upstream_address) {
                pipe_both_ways(client, upstream, None, None);
            }
        }
        Fault::TruncateAnswer => {
            if let Ok(upstream) = TcpStream::connect(upstream_address) {
                pipe_both_ways(client, upstream, None, Some(cut));
            }
        }
        Fault::ResetMidRequest => {
            if let Ok(upstream) = TcpStream::connect(upstream_address) {
                pipe_both_ways(client, upstream, Some(cut), None);
            }
        }
        Fault::Duplicate => duplicate(client, upstream_address),
    }
}

/// Copies bytes both ways until either side closes; with a limit, closes
/// both sides after that many bytes in that direction.
fn pipe_both_ways(
    client: TcpStream,
    upstream: TcpStream,
    request_limit: Option<usize>,
    answer_limit: Option<usize>,
) {
    let (Ok(mut client_reader), Ok(mut upstream_writer)) =
        (client.try_clone(), upstream.try_clone())
    else {
        return;
    };
    let forward = thread::spawn(move || {
        let mut buffer = [0; 16 * 1024];
        let mut sent = 0;
        while let Ok(read) = client_reader.read(&mut buffer) {
            let allowed = match request_limit {
                Some(limit) => read.min(limit.saturating_sub(sent)),
                None => read,
            };
            if read == 0 || upstream_writer.write_all(&buffer[..allowed]).is_err() {
                break;
            }
            sent += allowed;
            if request_limit.is_some_and(|limit| sent >= limit) {
                // Cut off mid-stream: both sides see the connection die.
                upstream_writer.shutdown(Shutdown::Both).ok();
                client_reader.shutdown(Shutdown::Both).ok();
                return;
            }
        }
        upstream_writer.shutdown(Shutdown::Write).ok();
    });
    let mut upstream_reader = upstream;
    let mut client_writer = client;
    let mut sent = 0;
    let mut buffer = [0; 16 * 1024];
    while let Ok(read) = upstream_reader.read(&mut buffer) {
        if read == 0 {
            break;
        }
        let allowed = match answer_limit {
            Some(limit) => read.min(limit.saturating_sub(sent)),
            None => read,
        };
        if client_writer.write_all(&buffer[..allowed]).is_err() {
            break;
        }
        sent += allowed;
        if answer_limit.is_some_and(|limit| sent >= limit) {
            break;
        }
    }
    client_writer.shutdown(Shutdown::Both).ok();
    upstream_reader.shutdown(Shutdown::Both).ok();
    forward.join().ok();
}

/// Reads one whole HTTP request (headers and a Content-Length body).
fn read_request(client: &mut TcpStream) -> Option<Vec<u8>> {
    let mut request = Vec::new();
    let mut buffer = [0; 16 * 1024];
    let header_end = loop {
        let read = client.read(&mut buffer).ok()?;
        if read == 0 {
            return None;
        }
        request.extend_from_slice(&buffer[..read]);
        if let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
    };
    let head = String::from_utf8_lossy(&request[..header_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0);
    while request.len() < header_end + length {
        let read = client.read(&mut buffer).ok()?;
        if read == 0 {
            return None;
        }
        request.extend_from_slice(&buffer[..read]);
    }
    request.truncate(header_end + length);
    Some(request)
}

fn duplicate(mut client: TcpStream, upstream_address: SocketAddr) {
    let Some(request) = read_request(&mut client) else {
        return;
    };
    let mut answer = Vec::new();
    for _ in 0..2 {
        let Ok(mut upstream) = TcpStream::connect(upstream_address) else {
            return;
        };
        upstream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .ok();
        if upstream.write_all(&request).is_err() {
            return;
        }
        upstream.shutdown(Shutdown::Write).ok();
        answer.clear();
        if upstream.read_to_end(&mut answer).is_err() {
            return;
        }
    }
    client.write_all(&answer).ok();
    client.shutdown(Shutdown::Both).ok();
}
