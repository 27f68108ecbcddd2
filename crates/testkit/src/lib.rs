//! Test-only builders of the inputs apkscope must survive: zips, binary XML, dex files and
//! hostile uploads (bombs, crafted tables), built byte by byte so no one's files are copied.

pub mod axml;
pub mod dex;
pub mod hostile;
pub mod schema;

pub mod zip;
