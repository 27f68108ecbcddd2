//! Integration tests of apkscope-dex: builder-made dex files, hostile
//! variants, fuzz reproducers and parity with dexdump over the real corpus.
// Test helpers outside `#[test]` fns: unwrapping and printing the parity
// report is the point; long fixtures read best in one piece.
#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::too_many_lines,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod builder;
mod corpus;
mod hostile;
mod skip;
