#![no_main]
//! Any bytes at all: the decoder answers Ok or a clear error, and never panics.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = doorstep_server::decode::refresh_request(data);
});
