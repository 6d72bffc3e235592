//! Lone-worker alerts. The server looks every few seconds for visits that
//! should have ended by now and were never checked out, from whatever any
//! device synced, and raises one alert per visit. Each alert goes to the
//! council's webhook and by email, tried again with growing gaps until it is
//! delivered, or until the check-out syncs and the alert resolves. Team leads
//! also see overdue visits in the app from their own synced cases.
//!
//! The messages carry the worker's name, the case id and the expected end:
//! enough to act on, with nothing about the person being visited.

use std::sync::Arc;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde_json::json;

use crate::audit::AuditEvent;
use crate::storage::{
    DeliveryOutcome, DueDelivery, LoneWorkerAlert, Storage, StorageError, now_millis, now_rfc3339,
};

pub const WEBHOOK: &str = "webhook";
pub const EMAIL: &str = "email";

/// Tries per channel before giving up (about two hours of gaps at most).
pub const MAXIMUM_DELIVERY_ATTEMPTS: i64 = 12;
const FIRST_RETRY_MILLIS: i64 = 5_000;
const LONGEST_RETRY_MILLIS: i64 = 15 * 60_000;
const SEND_TIMEOUT: Duration = Duration::from_secs(15);

/// Where alerts go, from the `[lone_working]` table of the config file.
#[derive(Debug, Clone)]
pub struct LoneWorkingSettings {
    pub check_every: Duration,
    pub webhook_url: Option<reqwest::Url>,
    pub email: Option<EmailSettings>,
}

impl Default for LoneWorkingSettings {
    fn default() -> Self {
        Self {
            check_every: Duration::from_secs(30),
            webhook_url: None,
            email: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct EmailSettings {
    pub relay: SmtpRelay,
    pub from: Mailbox,
    pub to: Vec<Mailbox>,
}

/// How to reach the council's mail relay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpRelay {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// `smtps://`: TLS from the first byte.
    ImplicitTls,
    /// `smtp://` to another machine: STARTTLS, and nothing is sent without it.
    RequiredStartTls,
    /// `smtp://` to this machine only (a local relay or a test sink).
    PlainLoopback,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AlertSettingsError {
    #[error(
        "lone_working.smtp_url \"{0}\" is not usable: write it as smtp://host:587 (STARTTLS) or smtps://host:465"
    )]
    SmtpUrl(String),
    #[error("lone_working.{field} \"{value}\" is not an email address")]
    Address { field: &'static str, value: String },
    #[error(
        "lone_working.smtp_url is set, so email_from and at least one email_to address are needed too"
    )]
    EmailIncomplete,
    #[error(
        "lone_working.webhook_url \"{0}\" is not usable: give an https:// address (http:// only to this machine)"
    )]
    WebhookUrl(String),
}

impl SmtpRelay {
    pub fn parse(text: &str) -> Result<Self, AlertSettingsError> {
        let bad = || AlertSettingsError::SmtpUrl(text.to_owned());
        let url = reqwest::Url::parse(text.trim()).map_err(|_| bad())?;
        let host = url
            .host_str()
            .filter(|host| !host.is_empty())
            .ok_or_else(bad)?;
        let loopback = is_loopback(host);
        let (security, default_port) = match url.scheme() {
            "smtps" => (SmtpSecurity::ImplicitTls, 465),
            "smtp" if loopback => (SmtpSecurity::PlainLoopback, 25),
            "smtp" => (SmtpSecurity::RequiredStartTls, 587),
            _ => return Err(bad()),
        };
        Ok(Self {
            host: host.trim_matches(['[', ']']).to_owned(),
            port: url.port().unwrap_or(default_port),
            security,
        })
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|address| address.is_loopback())
}

/// Checks the webhook address: https, or http to this machine only.
pub fn parse_webhook_url(text: &str) -> Result<reqwest::Url, AlertSettingsError> {
    let bad = || AlertSettingsError::WebhookUrl(text.to_owned());
    let url = reqwest::Url::parse(text.trim()).map_err(|_| bad())?;
    let loopback = url.host_str().is_some_and(is_loopback);
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        _ => Err(bad()),
    }
}

pub fn parse_mailbox(field: &'static str, text: &str) -> Result<Mailbox, AlertSettingsError> {
    text.trim()
        .parse()
        .map_err(|_| AlertSettingsError::Address {
            field,
            value: text.to_owned(),
        })
}

/// The wait before try number `attempts + 1`: 5 s, doubling, at most 15 minutes.
pub fn retry_delay_millis(attempts: i64) -> i64 {
    let doublings = u32::try_from(attempts.clamp(0, 20)).unwrap_or(20);
    FIRST_RETRY_MILLIS
        .saturating_mul(1_i64 << doublings)
        .min(LONGEST_RETRY_MILLIS)
}

/// What the alert says, for people.
pub fn alert_text(alert: &LoneWorkerAlert) -> String {
    format!(
        "{worker} checked in to a visit on case {case} ({team}) that was expected to end at {end}, and has not checked out.\n\n\
         Contact {worker} now. If you cannot reach them, follow the lone-working procedure: their buddy, then their line manager.\n\n\
         Doorstep raised this at {raised} from what their laptop last synced. A laptop with no signal cannot raise an alarm, so the visit may have ended without the check-out reaching the server yet.",
        worker = alert.worker,
        case = alert.case_id,
        team = alert.team.as_deref().unwrap_or("no team recorded"),
        end = alert.expected_end,
        raised = alert.raised_at,
    )
}

/// Sends alerts; one per server, shared by every check.
pub struct AlertSender {
    settings: LoneWorkingSettings,
    http: reqwest::Client,
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
}

impl std::fmt::Debug for AlertSender {
    // The SMTP transport has no Debug; the settings say all there is to know.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlertSender")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl AlertSender {
    pub fn new(settings: LoneWorkingSettings) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .timeout(SEND_TIMEOUT)
            .build()
            .map_err(|error| format!("the webhook client could not start: {error}"))?;
        let smtp = match &settings.email {
            None => None,
            Some(email) => Some(smtp_transport(&email.relay)?),
        };
        Ok(Self {
            settings,
            http,
            smtp,
        })
    }

    /// The channels an alert goes to, as configured.
    pub fn channels(&self) -> Vec<&'static str> {
        let mut channels = Vec::new();
        if self.settings.webhook_url.is_some() {
            channels.push(WEBHOOK);
        }
        if self.settings.email.is_some() {
            channels.push(EMAIL);
        }
        channels
    }

    async fn send(&self, delivery: &DueDelivery) -> Result<(), String> {
        match delivery.channel.as_str() {
            WEBHOOK => self.send_webhook(&delivery.alert).await,
            EMAIL => self.send_email(&delivery.alert).await,
            other => Err(format!("no such channel {other}")),
        }
    }

    async fn send_webhook(&self, alert: &LoneWorkerAlert) -> Result<(), String> {
        let Some(url) = &self.settings.webhook_url else {
            return Err("no webhook_url is set any more".into());
        };
        let body = json!({
            "event": "lone_worker_alert",
            "alert": alert,
            "text": alert_text(alert),
        });
        let response = self
            .http
            .post(url.clone())
            .json(&body)
            .send()
            .await
            .map_err(|error| format!("the webhook could not be reached: {error}"))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!("the webhook answered {}", response.status()))
        }
    }

    async fn send_email(&self, alert: &LoneWorkerAlert) -> Result<(), String> {
        let (Some(email), Some(smtp)) = (&self.settings.email, &self.smtp) else {
            return Err("no smtp_url is set any more".into());
        };
        let mut message = Message::builder().from(email.from.clone()).subject(format!(
            "Lone-worker alert: {} has not checked out",
            alert.worker
        ));
        for to in &email.to {
            message = message.to(to.clone());
        }
        let message = message
            .body(alert_text(alert))
            .map_err(|error| format!("the email could not be written: {error}"))?;
        tokio::time::timeout(SEND_TIMEOUT, smtp.send(message))
            .await
            .map_err(|_| "the mail relay did not answer in time".to_owned())?
            .map(|_| ())
            .map_err(|error| format!("the mail relay refused the alert: {error}"))
    }
}

fn smtp_transport(relay: &SmtpRelay) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let tls = || {
        TlsParameters::new(relay.host.clone())
            .map_err(|error| format!("TLS for the mail relay could not be set up: {error}"))
    };
    let security = match relay.security {
        SmtpSecurity::ImplicitTls => Tls::Wrapper(tls()?),
        SmtpSecurity::RequiredStartTls => Tls::Required(tls()?),
        SmtpSecurity::PlainLoopback => Tls::None,
    };
    Ok(
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(relay.host.clone())
            .port(relay.port)
            .tls(security)
            .timeout(Some(SEND_TIMEOUT))
            .build(),
    )
}

/// One pass: raise alerts for visits now overdue, resolve those whose
/// check-out synced, and try every delivery that is due.
pub async fn check_once<S: Storage>(storage: &S, sender: &AlertSender) -> Result<(), StorageError> {
    let now = now_rfc3339();
    let channels = sender.channels();
    let raised = storage.raise_lone_worker_alerts(&now, &channels).await?;
    let resolved = storage.resolve_lone_worker_alerts(&now).await?;
    let mut events: Vec<AuditEvent> = Vec::new();
    for alert in &raised {
        tracing::warn!(alert = alert.id, case = %alert.case_id, worker = %alert.worker, "lone-worker alert raised");
        events.push(alert_event(
            "lone_worker_alert_raised",
            alert,
            json!({ "expected_end": alert.expected_end }),
        ));
    }
    for alert in &resolved {
        tracing::info!(alert = alert.id, case = %alert.case_id, "lone-worker alert resolved");
        events.push(alert_event("lone_worker_alert_resolved", alert, json!({})));
    }
    for delivery in storage.due_alert_deliveries(now_millis()).await? {
        let outcome = match sender.send(&delivery).await {
            Ok(()) => {
                events.push(alert_event(
                    "lone_worker_alert_sent",
                    &delivery.alert,
                    json!({ "channel": delivery.channel, "attempt": delivery.attempts + 1 }),
                ));
                DeliveryOutcome::Delivered
            }
            Err(error) => {
                let attempt = delivery.attempts + 1;
                let gave_up = attempt >= MAXIMUM_DELIVERY_ATTEMPTS;
                tracing::warn!(alert = delivery.alert.id, channel = %delivery.channel, attempt, %error, gave_up, "lone-worker alert not delivered");
                if gave_up {
                    events.push(alert_event(
                        "lone_worker_alert_undeliverable",
                        &delivery.alert,
                        json!({ "channel": delivery.channel, "error": error }),
                    ));
                }
                DeliveryOutcome::Failed {
                    error,
                    retry_at: (!gave_up)
                        .then(|| now_millis() + retry_delay_millis(delivery.attempts)),
                }
            }
        };
        storage
            .record_alert_delivery(delivery.alert.id, &delivery.channel, outcome)
            .await?;
    }
    if !events.is_empty() {
        storage.record_audit(events).await?;
    }
    Ok(())
}

fn alert_event(action: &str, alert: &LoneWorkerAlert, mut detail: serde_json::Value) -> AuditEvent {
    if let Some(map) = detail.as_object_mut() {
        map.insert("alert".into(), json!(alert.id));
        map.insert("worker".into(), json!(alert.worker));
    }
    AuditEvent::new(action)
        .by("doorstep-server")
        .case(alert.case_id.clone())
        .detail(detail)
}

/// Checks for overdue visits for as long as the server runs. A failed
/// check is logged and tried again at the next tick.
pub async fn watch<S: Storage>(storage: Arc<S>, sender: AlertSender) {
    let mut ticks = tokio::time::interval(sender.settings.check_every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if let Err(error) = check_once(storage.as_ref(), &sender).await {
            tracing::error!(%error, "the lone-worker check failed; trying again at the next tick");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_smtp_is_only_for_this_machine_and_starttls_is_required_elsewhere() {
        let local = SmtpRelay::parse("smtp://127.0.0.1:2525").unwrap();
        assert_eq!(
            (local.port, local.security),
            (2525, SmtpSecurity::PlainLoopback)
        );
        let relay = SmtpRelay::parse("smtp://mail.example-council.gov.uk").unwrap();
        assert_eq!(
            (relay.port, relay.security),
            (587, SmtpSecurity::RequiredStartTls)
        );
        let wrapped = SmtpRelay::parse("smtps://mail.example-council.gov.uk").unwrap();
        assert_eq!(
            (wrapped.port, wrapped.security),
            (465, SmtpSecurity::ImplicitTls)
        );
        assert!(SmtpRelay::parse("mail.example-council.gov.uk").is_err());
        assert!(SmtpRelay::parse("http://mail.example-council.gov.uk").is_err());
    }

    #[test]
    fn a_webhook_must_be_https_unless_it_is_on_this_machine() {
        assert!(parse_webhook_url("https://alerts.example-council.gov.uk/doorstep").is_ok());
        assert!(parse_webhook_url("http://127.0.0.1:9000/hook").is_ok());
        assert_eq!(
            parse_webhook_url("http://alerts.example-council.gov.uk/doorstep"),
            Err(AlertSettingsError::WebhookUrl(
                "http://alerts.example-council.gov.uk/doorstep".into()
            ))
        );
    }

    #[test]
    fn retries_wait_longer_each_time_up_to_a_quarter_of_an_hour() {
        let waits: Vec<i64> = (0..10).map(retry_delay_millis).collect();
        assert_eq!(&waits[..4], &[5_000, 10_000, 20_000, 40_000]);
        assert!(waits.windows(2).all(|pair| pair[1] >= pair[0]));
        assert_eq!(retry_delay_millis(30), 15 * 60_000);
    }

    #[test]
    fn the_alert_names_the_worker_and_the_case_and_says_what_to_do() {
        let alert = LoneWorkerAlert {
            id: 7,
            case_id: "01JDCASE".into(),
            team: Some("North".into()),
            worker: "amy".into(),
            expected_end: "2026-12-03T15:00:00Z".into(),
            raised_at: "2026-12-03T15:00:30Z".into(),
            resolved_at: None,
        };
        let text = alert_text(&alert);
        for needed in [
            "amy",
            "01JDCASE",
            "North",
            "2026-12-03T15:00:00Z",
            "buddy",
            "line manager",
        ] {
            assert!(text.contains(needed), "{needed} missing from: {text}");
        }
    }
}
