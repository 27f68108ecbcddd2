//! Integration tests of the `apkscope` binary.

mod deps;
mod run;
