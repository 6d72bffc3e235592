//! The council's Doorstep server: the source of truth for who may see which
//! case, and the meeting point where devices exchange their changes.
//!
//! The HTTP layer is generic over one [`storage::Storage`] trait; the backend
//! is chosen once at start-up.

pub mod accounts;
pub mod admin;
pub mod alerts;
pub mod api;
pub mod attachments;
pub mod audit;
pub mod cases;
pub mod config;
pub mod decode;
pub mod demo;
pub mod http;
pub mod metrics;
pub mod serve;
pub mod sessions;
pub mod storage;
pub mod team;
pub mod tls;
pub mod tokens;
