//! Every public parser of apkscope-signing over the same bytes: a v1
//! PKCS#7 block, a v2 / v3 pair value and a source stamp value.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    drop(apkscope_signing::parse_pkcs7(data));
    drop(apkscope_signing::parse_v2(data));
    drop(apkscope_signing::parse_v3(data));
    drop(apkscope_signing::parse_source_stamp(data));
});
