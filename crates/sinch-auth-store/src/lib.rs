//! Accounts and sessions storage (work in progress).
