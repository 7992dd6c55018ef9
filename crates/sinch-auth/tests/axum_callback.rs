//! Real-socket tests of the axum callback extractor (being written).
