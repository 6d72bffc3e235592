//! Sync in the background, as the desktop app does it: on start, a few
//! seconds after edits, when the network comes back, and every few minutes,
//! backing off after failures. It runs on its own thread with its own
//! connection to the device store, so the window never waits on the network
//! or on a long first sync, and it reports every change of state.

use std::sync::{Arc, Mutex};

use doorstep_sync::SyncError;
use doorstep_sync::schedule::{AfterSync, ScheduleConfig, Scheduler, Trigger};
use serde::Serialize;

use crate::{ClientError, Device, DeviceSettings};

/// What the app shows in its header: can it reach the server, and is
/// everything made here safe there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Connection {
    /// Not known yet (the first sync has not finished).
    Starting,
    Syncing,
    /// The last sync reached the server.
    Online,
    /// The server could not be reached; work is saved here and will go later.
    Offline,
    /// Nobody is signed in, or the sign-in ended: sync waits for a sign-in.
    SignedOut,
    /// The device store or keyring could not be opened.
    Unavailable,
    /// IT revoked this device and its data was destroyed.
    Wiped,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    pub connection: Connection,
    /// When a sync last completed (RFC 3339).
    pub last_synced_at: Option<String>,
    /// Why the last attempt failed, in words for the caseworker.
    pub last_error: Option<String>,
    /// While syncing: how far it has got.
    pub progress: Option<doorstep_sync::SyncProgress>,
    pub unsynced_changes: usize,
    pub files_to_send: usize,
    /// The server holds every change made here: safe to hand in.
    pub everything_acknowledged: bool,
}

impl SyncStatus {
    fn starting() -> Self {
        Self {
            connection: Connection::Starting,
            last_synced_at: None,
            last_error: None,
            progress: None,
            unsynced_changes: 0,
            files_to_send: 0,
            everything_acknowledged: false,
        }
    }
}

type Listener = dyn Fn(&SyncStatus) + Send + Sync;

/// The app's background sync. Dropping it stops the thread after any sync
/// in progress.
pub struct BackgroundSync {
    scheduler: Scheduler,
    status: Arc<Mutex<SyncStatus>>,
}

impl std::fmt::Debug for BackgroundSync {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("BackgroundSync")
            .field("status", &self.status())
            .finish_non_exhaustive()
    }
}

impl BackgroundSync {
    /// Starts syncing the device in `settings.data_dir`; `on_change` hears
    /// every new status (on the sync thread: keep it quick).
    pub fn start(
        settings: DeviceSettings,
        config: ScheduleConfig,
        on_change: impl Fn(&SyncStatus) + Send + Sync + 'static,
    ) -> Self {
        let status = Arc::new(Mutex::new(SyncStatus::starting()));
        let listener: Arc<Listener> = Arc::new(on_change);
        let shared = status.clone();
        let mut device: Option<Device> = None;
        let scheduler = Scheduler::start(config, move |trigger| {
            run_once(&settings, &mut device, &shared, listener.as_ref(), trigger)
        });
        Self { scheduler, status }
    }

    pub fn status(&self) -> SyncStatus {
        self.status
            .lock()
            .map(|status| status.clone())
            .unwrap_or_else(|_| SyncStatus::starting())
    }

    /// A change was saved: sync once the person pauses.
    pub fn edited(&self) {
        self.scheduler.edited();
    }

    /// The network came back: sync now.
    pub fn online(&self) {
        self.scheduler.online();
    }

    /// The person pressed "Sync now".
    pub fn sync_now(&self) {
        self.scheduler.sync_now();
    }
}

fn publish(shared: &Mutex<SyncStatus>, listener: &Listener, change: impl FnOnce(&mut SyncStatus)) {
    let snapshot = match shared.lock() {
        Ok(mut status) => {
            change(&mut status);
            status.clone()
        }
        Err(_) => return,
    };
    listener(&snapshot);
}

fn run_once(
    settings: &DeviceSettings,
    device: &mut Option<Device>,
    shared: &Mutex<SyncStatus>,
    listener: &Listener,
    trigger: Trigger,
) -> AfterSync {
    if device.is_none() {
        match Device::open(settings) {
            Ok(opened) => *device = Some(opened),
            Err(error) => {
                tracing::warn!(%error, "background sync could not open the device store");
                publish(shared, listener, |status| {
                    status.connection = Connection::Unavailable;
                    status.last_error = Some(error.to_string());
                });
                return AfterSync::Wait;
            }
        }
    }
    let Some(current) = device.as_mut() else {
        return AfterSync::Wait;
    };
    tracing::debug!(?trigger, "background sync");
    publish(shared, listener, |status| {
        status.connection = Connection::Syncing;
        status.progress = None;
    });
    let result = current.sync(&mut |progress| {
        publish(shared, listener, |status| {
            status.progress = Some(progress.clone());
        });
    });
    let after = match &result {
        Ok(_) => AfterSync::Done,
        Err(ClientError::Sync(error)) if error.is_transient() => AfterSync::Retry,
        // The store was busy or a disk write failed: worth another try later.
        Err(ClientError::Store(_)) => AfterSync::Retry,
        Err(_) => AfterSync::Wait,
    };
    let connection = match &result {
        Ok(_) => Connection::Online,
        Err(ClientError::Wiped) => Connection::Wiped,
        Err(ClientError::Sync(error)) => match **error {
            SyncError::NotSignedIn | SyncError::SessionEnded { .. } => Connection::SignedOut,
            SyncError::Unreachable { .. } | SyncError::Unavailable { .. } => Connection::Offline,
            _ => Connection::Online,
        },
        Err(_) => Connection::Unavailable,
    };
    let counts = current.status().ok();
    publish(shared, listener, |status| {
        status.connection = connection;
        status.progress = None;
        match &result {
            Ok(_) => {
                status.last_synced_at = Some(doorstep_store::device_now().to_rfc3339());
                status.last_error = None;
            }
            Err(error) => status.last_error = Some(error.to_string()),
        }
        if let Some(counts) = &counts {
            status.unsynced_changes = counts.unsynced_changes;
            status.files_to_send = counts.files_to_send;
            status.everything_acknowledged = counts.everything_acknowledged;
        }
    });
    if matches!(result, Err(ClientError::Wiped))
        && let Some(wiped) = device.take()
    {
        let _ = wiped.close();
    }
    after
}
