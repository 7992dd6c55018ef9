//! The storage contract, written once and run against both backends:
//! `sqlite::…` always (temporary files), `postgres::…` with `--ignored` and
//! `SINCH_AUTH_TEST_POSTGRES_URL`, as `.ci/postgres.sh test` does.

mod accounts;
mod admin;
mod development;
mod harness;
mod lifecycle;
mod postgres_only;
mod sessions;
mod sqlite_files;
mod unreachable_server;

store_suite! {
    accounts: [
        create_then_find,
        usernames_are_exact_bytes,
        second_signup_of_a_name_is_taken,
        concurrent_signups_of_one_name_have_one_winner,
        concurrent_signups_of_different_names_all_succeed,
        username_bounds,
    ],
    sessions: [
        session_lives_until_its_expiry,
        expiry_is_kept_to_the_second_rounded_down,
        unknown_token_finds_nothing,
        revoke_all_touches_only_that_account,
        purge_deletes_only_expired_sessions,
        duplicate_token_is_refused,
        password_change_revokes_other_sessions,
        password_change_without_keep_revokes_all,
        stale_account_cannot_change_password_or_log_in,
        login_racing_a_password_change_never_survives,
    ],
    admin: [
        sessions_keep_their_kind,
        a_disabled_account_loses_its_sessions_and_cannot_log_in,
        login_racing_a_disable_never_survives,
        deleting_removes_the_account_and_its_sessions,
        operators_see_history_and_live_sessions,
    ],
    development: [
        first_candidate_is_kept,
        two_instances_agree_on_first_start,
    ],
    lifecycle: [
        connecting_twice_is_idempotent,
        concurrent_first_connects_both_succeed,
        data_survives_reopen,
        closed_store_reports_unavailable,
        location_and_status,
    ],
}
