//! Signing in, refreshing, signing out, and knowing who is calling.
//!
//! Every request after sign-in carries an access token. The token names a
//! device and, through it, a user; both are looked up in the database on
//! every request, so a revoked device or a disabled account stops at once on
//! every server node.

use std::net::IpAddr;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use doorstep_core::access::Reader;
use doorstep_protocol::error::codes;
use doorstep_protocol::session::{RefreshRequest, SessionTokens, SignInRequest};
use serde_json::json;

use crate::accounts::{PasswordDigest, ThrottleDecision, address_key, decoy_digest, throttle_key};
use crate::api::ApiFailure;
use crate::audit::AuditEvent;
use crate::http::AppState;
use crate::storage::{Device, NewDevice, Storage, User, now_millis, now_rfc3339};
use crate::tokens::{self, IssuedTokens};

/// The longest a device description field may be.
const MAXIMUM_DESCRIPTION_CHARACTERS: usize = 200;

fn sign_in_failed() -> ApiFailure {
    ApiFailure::new(
        StatusCode::UNAUTHORIZED,
        codes::SIGN_IN_FAILED,
        "The user name or password is not right. Check them and try again; after several failed tries, sign-in pauses for a while.",
    )
}

fn session_ended() -> ApiFailure {
    ApiFailure::new(
        StatusCode::UNAUTHORIZED,
        codes::SESSION_ENDED,
        "Your session has ended. Sign in again; your unsynced work stays on this device.",
    )
}

fn account_disabled() -> ApiFailure {
    ApiFailure::new(
        StatusCode::FORBIDDEN,
        codes::ACCOUNT_DISABLED,
        "Your account is disabled. Contact your council's IT team; your unsynced work stays on this device.",
    )
}

fn tokens_for(
    user: &User,
    device: &Device,
    issued: IssuedTokens,
    state_tokens: crate::tokens::TokenLifetimes,
) -> SessionTokens {
    SessionTokens {
        device_id: device.id.clone(),
        user: user.name.clone(),
        role: user.role.as_str().to_owned(),
        team: user.team.clone(),
        access_token: issued.access,
        access_expires_in: state_tokens.access_secs,
        refresh_token: issued.refresh,
        refresh_expires_in: state_tokens.refresh_secs,
        server_time: now_rfc3339(),
    }
}

fn check_description(label: &str, value: &str) -> Result<String, ApiFailure> {
    let value = value.trim();
    if value.is_empty()
        || value.chars().count() > MAXIMUM_DESCRIPTION_CHARACTERS
        || value.chars().any(char::is_control)
    {
        return Err(ApiFailure::bad_request(format!(
            "The device's {label} must be 1 to {MAXIMUM_DESCRIPTION_CHARACTERS} characters without control characters."
        )));
    }
    Ok(value.to_owned())
}

fn token_failure(error: tokens::TokenError) -> ApiFailure {
    tracing::error!(%error, "could not issue tokens");
    ApiFailure::new(
        StatusCode::SERVICE_UNAVAILABLE,
        codes::UNAVAILABLE,
        "The server could not start a session just now. Try again in a minute.",
    )
}

/// `POST /v1/session`: checks the password, registers the device, issues tokens.
pub async fn sign_in<S: Storage>(
    state: &AppState<S>,
    address: IpAddr,
    request: SignInRequest,
) -> Result<SessionTokens, ApiFailure> {
    let device_time = check_device_time(request.device_time.as_deref())?;
    let hostname = check_description("hostname", &request.device.hostname)?;
    let os = check_description("operating system", &request.device.os)?;
    let app_version = check_description("app version", &request.device.app_version)?;
    // A name no account could have is refused before it costs a hash or a row.
    if crate::storage::check_name("user", &request.user).is_err() {
        return Err(sign_in_failed());
    }
    let account = throttle_key(&request.user);
    let address_text = address_key(address);
    let now = now_millis();
    // Count this attempt before checking the password, so that guesses sent
    // in parallel are counted too; a correct password clears the count.
    let attempt = state
        .storage
        .record_sign_in_attempt(&account, &address_text)
        .await?;
    let policy = state.throttle.counting_this_attempt();
    let recent = state
        .storage
        .recent_sign_in_failures(
            &account,
            &address_text,
            now - policy.window_millis(),
            i64::try_from(policy.failures_to_read()).unwrap_or(i64::MAX),
        )
        .await?;
    if let ThrottleDecision::Locked { retry_after_secs } = policy.decide(&recent, now) {
        // No password was checked, so this attempt does not count: retrying
        // while locked must not keep the lock going for ever.
        state.storage.forget_sign_in_attempt(attempt).await?;
        let mut failure = ApiFailure::new(
            StatusCode::TOO_MANY_REQUESTS,
            codes::SIGN_IN_LOCKED,
            format!(
                "Too many failed sign-ins. Wait {} minutes and try again, or ask IT to check your account.",
                retry_after_secs.div_ceil(60)
            ),
        );
        failure.retry_after_secs = Some(retry_after_secs);
        return Err(failure);
    }

    let credentials = state.storage.credentials(&account).await?;
    let password = request.password.clone();
    let digest: PasswordDigest = credentials
        .as_ref()
        .map(|credentials| credentials.digest.clone())
        .unwrap_or_else(|| decoy_digest().clone());
    // Verifying is deliberately slow; an unknown account costs the same time.
    let verified = tokio::task::spawn_blocking(move || digest.verify(password.expose()))
        .await
        .unwrap_or(false);
    let Some(credentials) = credentials.filter(|_| verified) else {
        state
            .storage
            .record_audit(vec![
                AuditEvent::new("sign_in_failed")
                    .by(account.clone())
                    .detail(json!({ "address": address_text })),
            ])
            .await?;
        // This failure starts a lock: one audit row for it, however many
        // refused attempts follow.
        let starts_lock = recent.for_account.len() == state.throttle.account_failures as usize
            || recent.from_address.len() == state.throttle.address_failures as usize;
        if starts_lock {
            state
                .storage
                .record_audit(vec![
                    AuditEvent::new("sign_in_locked")
                        .by(account.clone())
                        .detail(json!({ "address": address_text })),
                ])
                .await?;
        }
        return Err(sign_in_failed());
    };
    let user = credentials.user;
    if user.disabled {
        state
            .storage
            .record_audit(vec![
                AuditEvent::new("sign_in_refused_disabled").by(user.name.clone()),
            ])
            .await?;
        return Err(account_disabled());
    }
    state.storage.clear_sign_in_failures(&account).await?;

    let device_id = match request.device.id.as_deref().map(str::trim) {
        Some(id) if !id.is_empty() => match state.storage.device(id).await? {
            Some(device) if device.revoked_at.is_some() => {
                state
                    .storage
                    .record_audit(vec![
                        AuditEvent::new("device_told_to_wipe")
                            .by(user.name.clone())
                            .device(device.id.clone(), device_time.clone()),
                    ])
                    .await?;
                return Err(ApiFailure::device_revoked());
            }
            // The same laptop, signed in by someone else: a registration of its own.
            Some(device)
                if doorstep_core::access::name_key(&device.user)
                    != doorstep_core::access::name_key(&user.name) =>
            {
                tokens::new_device_id().map_err(token_failure)?
            }
            Some(device) => device.id,
            None => tokens::new_device_id().map_err(token_failure)?,
        },
        _ => tokens::new_device_id().map_err(token_failure)?,
    };
    let issued = tokens::issue(state.tokens, now, None).map_err(token_failure)?;
    let audit = AuditEvent::new("signed_in")
        .by(user.name.clone())
        .device(device_id.clone(), device_time.clone())
        .detail(json!({
            "address": address.to_string(),
            "hostname": hostname,
            "os": os,
            "app_version": app_version,
        }));
    let device = state
        .storage
        .open_session(
            NewDevice {
                id: device_id,
                user_id: user.id,
                hostname,
                os,
                app_version,
            },
            issued.digests.clone(),
            audit,
        )
        .await?;
    Ok(tokens_for(&user, &device, issued, state.tokens))
}

/// `POST /v1/session/refresh`: a new pair for an unused refresh token. A used
/// one means a copy exists somewhere else, so the device's session ends.
pub async fn refresh<S: Storage>(
    state: &AppState<S>,
    request: RefreshRequest,
) -> Result<SessionTokens, ApiFailure> {
    let device_time = check_device_time(request.device_time.as_deref())?;
    let old_digest = tokens::digest(request.refresh_token.expose());
    let Some(record) = state.storage.refresh_record(&old_digest).await? else {
        return Err(session_ended());
    };
    let Some(device) = state.storage.device(&record.device_id).await? else {
        return Err(session_ended());
    };
    if device.revoked_at.is_some() {
        state
            .storage
            .record_audit(vec![
                AuditEvent::new("device_told_to_wipe")
                    .by(device.user.clone())
                    .device(device.id.clone(), device_time.clone()),
            ])
            .await?;
        return Err(ApiFailure::device_revoked());
    }
    // A used refresh token shown again means a copy exists elsewhere: end
    // that sign-in (and only that one), for the thief and the device alike.
    let session = record.session.clone();
    let reuse = |device: Device| async move {
        state
            .storage
            .end_session_family(
                &session,
                AuditEvent::new("refresh_token_reused")
                    .by(device.user.clone())
                    .device(device.id.clone(), device_time.clone())
                    .detail(json!({ "outcome": "session ended; sign in again" })),
            )
            .await?;
        Err(session_ended())
    };
    if record.used {
        // Spent by sign-out or a newer sign-in: the session is simply over.
        if !record.rotated {
            return Err(session_ended());
        }
        return reuse(device).await;
    }
    let now = now_millis();
    if record.expires_at <= now {
        return Err(session_ended());
    }
    let Some(credentials) = state.storage.credentials(&device.user).await? else {
        return Err(session_ended());
    };
    if credentials.user.disabled {
        return Err(account_disabled());
    }
    let issued = tokens::issue(state.tokens, now, Some(&record.session)).map_err(token_failure)?;
    if !state
        .storage
        .rotate_tokens(&old_digest, &device.id, issued.digests.clone())
        .await?
    {
        return reuse(device).await;
    }
    Ok(tokens_for(&credentials.user, &device, issued, state.tokens))
}

/// The signed-in caller of a request: checked against the database on every request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub device: Device,
    /// The device's clock when it sent the request (the `X-Doorstep-Device-Time`
    /// header), so the audit log can order offline work truthfully.
    pub device_time: Option<String>,
}

/// A device's clock reading, as RFC 3339; anything else is refused rather than recorded.
pub fn check_device_time(value: Option<&str>) -> Result<Option<String>, ApiFailure> {
    match value.map(str::trim) {
        None => Ok(None),
        Some(text) if doorstep_core::dates::Timestamp::parse_rfc3339(text).is_some() => {
            Ok(Some(text.to_owned()))
        }
        Some(_) => Err(ApiFailure::bad_request(
            "`device_time` must be an RFC 3339 time such as 2026-11-28T09:30:00Z.",
        )),
    }
}

/// The header a device puts its own clock in, as RFC 3339.
pub const DEVICE_TIME_HEADER: &str = "x-doorstep-device-time";

impl Caller {
    pub fn reader(&self) -> Reader {
        Reader {
            user: self.user.name.clone(),
            role: self.user.role,
            team: self.user.team.clone(),
        }
    }
}

impl<S: Storage> FromRequestParts<AppState<S>> for Caller {
    type Rejection = ApiFailure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState<S>,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|token| !token.is_empty())
            .ok_or_else(|| {
                ApiFailure::new(
                    StatusCode::UNAUTHORIZED,
                    codes::TOKEN_MISSING,
                    "Sign in first: send the access token as `Authorization: Bearer TOKEN`.",
                )
            })?;
        let device_time = match parts.headers.get(DEVICE_TIME_HEADER) {
            None => None,
            Some(value) => {
                let text = value.to_str().unwrap_or_default().trim().to_owned();
                if doorstep_core::dates::Timestamp::parse_rfc3339(&text).is_none() {
                    return Err(ApiFailure::bad_request(format!(
                        "The {DEVICE_TIME_HEADER} header must be an RFC 3339 time such as 2026-11-28T09:30:00Z."
                    )));
                }
                Some(text)
            }
        };
        let Some(holder) = state.storage.token_holder(&tokens::digest(token)).await? else {
            return Err(session_ended());
        };
        if holder.device.revoked_at.is_some() {
            state
                .storage
                .record_audit(vec![
                    AuditEvent::new("device_told_to_wipe")
                        .by(holder.user.name.clone())
                        .device(holder.device.id.clone(), None),
                ])
                .await?;
            return Err(ApiFailure::device_revoked());
        }
        if holder.user.disabled {
            return Err(account_disabled());
        }
        if holder.expires_at <= now_millis() {
            return Err(ApiFailure::new(
                StatusCode::UNAUTHORIZED,
                codes::TOKEN_EXPIRED,
                "The access token has expired. Refresh it with the refresh token, or sign in again.",
            ));
        }
        Ok(Caller {
            user: holder.user,
            device: holder.device,
            device_time,
        })
    }
}

/// `POST /v1/device/wiped`: a revoked device reports that it destroyed its
/// key and data, with the access token it still held. Recorded in the audit
/// log; the device stays refused.
pub async fn confirm_wipe<S: Storage>(
    state: &AppState<S>,
    headers: &axum::http::HeaderMap,
) -> Result<(), ApiFailure> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .ok_or_else(session_ended)?;
    let device_time = headers
        .get(DEVICE_TIME_HEADER)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .filter(|text| doorstep_core::dates::Timestamp::parse_rfc3339(text).is_some())
        .map(str::to_owned);
    let Some(holder) = state.storage.token_holder(&tokens::digest(token)).await? else {
        return Err(session_ended());
    };
    if holder.device.revoked_at.is_none() {
        return Err(ApiFailure::bad_request(
            "This device has not been revoked, so there is no wipe to confirm.",
        ));
    }
    state
        .storage
        .record_audit(vec![
            AuditEvent::new("device_wiped")
                .by(holder.user.name.clone())
                .device(holder.device.id.clone(), device_time)
                .detail(serde_json::json!({ "confirmed_by": "device" })),
        ])
        .await?;
    Ok(())
}

/// `DELETE /v1/session`: signs this device out; its registration and data stay.
pub async fn sign_out<S: Storage>(
    state: &AppState<S>,
    caller: &Caller,
    device_time: Option<String>,
) -> Result<(), ApiFailure> {
    state
        .storage
        .end_session(
            &caller.device.id,
            AuditEvent::new("signed_out")
                .by(caller.user.name.clone())
                .device(caller.device.id.clone(), device_time),
        )
        .await?;
    Ok(())
}
