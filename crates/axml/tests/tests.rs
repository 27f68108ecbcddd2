//! Integration tests for apkscope-axml.

mod built;
mod corpus;
mod regressions;
mod skip;
mod wellformed;
