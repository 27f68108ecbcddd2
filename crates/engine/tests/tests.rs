//! Engine tests on built fixtures and on the shared corpus of real APKs.

mod corpus;
mod never_panic;
mod parity;
