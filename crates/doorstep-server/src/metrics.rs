//! Prometheus metrics at `/metrics`: requests, latencies, sync bytes and
//! active devices. Counters are per node, as Prometheus expects: it scrapes
//! each node and adds them up. Active devices come from the database, so
//! every node reports the same number.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency histogram, in seconds.
const LATENCY_BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Debug, Default)]
struct Latency {
    buckets: Vec<u64>,
    count: u64,
    sum_seconds: f64,
}

#[derive(Debug, Default)]
struct Counters {
    requests: BTreeMap<(String, String, u16), u64>,
    latency: BTreeMap<String, Latency>,
    sync_bytes: BTreeMap<&'static str, u64>,
}

#[derive(Debug, Default)]
pub struct Metrics {
    counters: Mutex<Counters>,
}

/// Which way sync data went.
#[derive(Debug, Clone, Copy)]
pub enum Direction {
    Received,
    Sent,
}

impl Metrics {
    pub fn record_request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let Ok(mut counters) = self.counters.lock() else {
            return;
        };
        *counters
            .requests
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default() += 1;
        let latency = counters.latency.entry(route.to_owned()).or_default();
        if latency.buckets.is_empty() {
            latency.buckets = vec![0; LATENCY_BUCKETS.len()];
        }
        let seconds = elapsed.as_secs_f64();
        for (bucket, bound) in latency.buckets.iter_mut().zip(LATENCY_BUCKETS) {
            if seconds <= *bound {
                *bucket += 1;
            }
        }
        latency.count += 1;
        latency.sum_seconds += seconds;
    }

    pub fn record_sync_bytes(&self, direction: Direction, bytes: usize) {
        if let Ok(mut counters) = self.counters.lock() {
            let key = match direction {
                Direction::Received => "received",
                Direction::Sent => "sent",
            };
            *counters.sync_bytes.entry(key).or_default() += bytes as u64;
        }
    }

    /// The exposition text, with `active_devices` read from the database by the caller.
    pub fn render(&self, active_devices: usize, revoked_devices: usize) -> String {
        let mut out = String::new();
        let Ok(counters) = self.counters.lock() else {
            return out;
        };
        let _ = writeln!(
            out,
            "# HELP doorstep_http_requests_total HTTP requests answered, by route and status."
        );
        let _ = writeln!(out, "# TYPE doorstep_http_requests_total counter");
        for ((method, route, status), count) in &counters.requests {
            let _ = writeln!(
                out,
                "doorstep_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {count}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP doorstep_http_request_duration_seconds Time to answer, by route."
        );
        let _ = writeln!(
            out,
            "# TYPE doorstep_http_request_duration_seconds histogram"
        );
        for (route, latency) in &counters.latency {
            for (bucket, bound) in latency.buckets.iter().zip(LATENCY_BUCKETS) {
                let _ = writeln!(
                    out,
                    "doorstep_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {bucket}"
                );
            }
            let _ = writeln!(
                out,
                "doorstep_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                latency.count
            );
            let _ = writeln!(
                out,
                "doorstep_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                latency.sum_seconds
            );
            let _ = writeln!(
                out,
                "doorstep_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                latency.count
            );
        }
        let _ = writeln!(
            out,
            "# HELP doorstep_sync_bytes_total Case change bytes received from and sent to devices."
        );
        let _ = writeln!(out, "# TYPE doorstep_sync_bytes_total counter");
        for direction in ["received", "sent"] {
            let bytes = counters
                .sync_bytes
                .get(direction)
                .copied()
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "doorstep_sync_bytes_total{{direction=\"{direction}\"}} {bytes}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP doorstep_active_devices Devices not revoked that were in touch in the last 24 hours."
        );
        let _ = writeln!(out, "# TYPE doorstep_active_devices gauge");
        let _ = writeln!(out, "doorstep_active_devices {active_devices}");
        let _ = writeln!(
            out,
            "# HELP doorstep_revoked_devices Devices revoked by IT."
        );
        let _ = writeln!(out, "# TYPE doorstep_revoked_devices gauge");
        let _ = writeln!(out, "doorstep_revoked_devices {revoked_devices}");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_latencies_are_counted_in_prometheus_text() {
        let metrics = Metrics::default();
        metrics.record_request("POST", "/v1/sync", 200, Duration::from_millis(30));
        metrics.record_request("POST", "/v1/sync", 200, Duration::from_millis(300));
        metrics.record_sync_bytes(Direction::Received, 1234);
        let text = metrics.render(3, 1);
        assert!(text.contains(
            "doorstep_http_requests_total{method=\"POST\",route=\"/v1/sync\",status=\"200\"} 2"
        ));
        assert!(text.contains(
            "doorstep_http_request_duration_seconds_bucket{route=\"/v1/sync\",le=\"0.05\"} 1"
        ));
        assert!(text.contains(
            "doorstep_http_request_duration_seconds_bucket{route=\"/v1/sync\",le=\"0.5\"} 2"
        ));
        assert!(text.contains("doorstep_sync_bytes_total{direction=\"received\"} 1234"));
        assert!(text.contains("doorstep_active_devices 3"));
    }
}
