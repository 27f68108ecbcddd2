//! apkscope-testkit (placeholder, being written).

pub mod axml;
pub mod dex;
pub mod schema;

pub mod zip;
