#![no_main]
//! Pushed automerge bytes, merged onto nothing (a new case) and onto a stored
//! case, exactly as the sync handler does: Ok or a refusal, never a panic.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = doorstep_server::decode::pushed_changes("FUZZ-1", &[], data);
    let _ = doorstep_server::decode::pushed_changes(
        "FUZZ-1",
        doorstep_server::decode::fuzz_stored_case(),
        data,
    );
});
