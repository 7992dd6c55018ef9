//! The token service (work in progress).
