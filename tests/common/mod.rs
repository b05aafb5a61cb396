//! Helpers shared by the test modules.

pub mod bin;
pub mod corpus;
pub mod disguise;
