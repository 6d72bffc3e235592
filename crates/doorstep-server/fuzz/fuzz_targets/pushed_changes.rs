#![no_main]
//! Pushed automerge bytes, merged onto nothing (a new case) and onto a stored
//! case, exactly as the sync handler does: Ok or a refusal, never a panic.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The server turns panics inside automerge's decoder into refusals
    // (see cases.rs); libfuzzer-sys's hook would abort on them before they
    // are caught. A panic that escapes still aborts when it unwinds into
    // libFuzzer, so real crashes are still found.
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let _ = doorstep_server::decode::pushed_changes("FUZZ-1", &[], data);
    let _ = doorstep_server::decode::pushed_changes(
        "FUZZ-1",
        doorstep_server::decode::fuzz_stored_case(),
        data,
    );
});
