//! How the server refuses: every failure is an [`ApiError`] body with the
//! right status, so devices and scripts can act on the code and people can
//! read the message. Bad input is refused before anything is stored.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use doorstep_protocol::ApiError;
use doorstep_protocol::error::codes;
use serde::de::DeserializeOwned;

use crate::storage::StorageError;

#[derive(Debug)]
pub struct ApiFailure {
    pub status: StatusCode,
    pub body: ApiError,
    pub retry_after_secs: Option<u64>,
}

impl ApiFailure {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ApiError {
                error: code.to_owned(),
                message: message.into(),
                wipe: false,
            },
            retry_after_secs: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, codes::BAD_REQUEST, message)
    }

    /// Missing and forbidden look the same, so nobody learns that a case exists.
    pub fn case_not_found(case_id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            codes::NOT_FOUND,
            format!(
                "There is no case {case_id} that you may see. Check the id, or ask your team lead for access."
            ),
        )
    }

    pub fn device_revoked() -> Self {
        let mut failure = Self::new(
            StatusCode::FORBIDDEN,
            codes::DEVICE_REVOKED,
            "This device has been revoked by your council's IT team. Its Doorstep data is being removed. Contact IT for a replacement.",
        );
        failure.body.wipe = true;
        failure
    }
}

impl From<StorageError> for ApiFailure {
    fn from(error: StorageError) -> Self {
        tracing::error!(%error, "storage failed during a request");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            codes::UNAVAILABLE,
            "The server could not reach its database. Your changes are safe on your device; sync again in a few minutes.",
        )
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body)).into_response();
        if let Some(seconds) = self.retry_after_secs
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// A JSON body whose every refusal is a clear [`ApiFailure`]: wrong content
/// type (415), too large (413), not JSON or not the expected shape, including
/// unknown fields (400).
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiFailure;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_refusal(rejection)),
        }
    }
}

fn json_refusal(rejection: JsonRejection) -> ApiFailure {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => ApiFailure::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            codes::UNSUPPORTED_MEDIA_TYPE,
            "Send the body as JSON with the header Content-Type: application/json.",
        ),
        JsonRejection::JsonSyntaxError(error) => {
            ApiFailure::bad_request(format!("The body is not valid JSON: {}", error.body_text()))
        }
        JsonRejection::JsonDataError(error) => ApiFailure::bad_request(format!(
            "The body is JSON but not what this endpoint takes: {}",
            error.body_text()
        )),
        JsonRejection::BytesRejection(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            too_large()
        }
        other => ApiFailure::new(other.status(), codes::BAD_REQUEST, other.body_text()),
    }
}

pub fn too_large() -> ApiFailure {
    ApiFailure::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        codes::PAYLOAD_TOO_LARGE,
        format!(
            "The request is larger than the server's limit of {} MiB. Send fewer cases in one request.",
            doorstep_protocol::sync::MAX_MESSAGE_BYTES / (1024 * 1024)
        ),
    )
}
