//! Accounts mode through the router, written once and run against both
//! backends: `sqlite::…` always (temporary files), `postgres::…` with
//! `--ignored` and `SINCH_AUTH_TEST_POSTGRES_URL`, as `.ci/postgres.sh test
//! -p sinch-auth-service` does. SQLite-only cases are in `sqlite_only`.

mod admin;
mod bearer;
mod csrf;
#[macro_use]
pub mod harness;
mod login;
mod page;
mod password;
mod postgres_only;
mod sessions;
mod signup;
mod sqlite_only;

accounts_suite! {
    signup: [
        sign_up_then_log_in,
        a_taken_username_is_409,
        usernames_are_sinch_user_ids,
        passwords_are_8_to_128_characters_never_trimmed,
        closed_sign_up_is_403,
        admin_key_sign_up,
        bad_bodies_are_specific_4xx,
        concurrent_sign_ups_of_one_name_have_one_winner,
    ],
    login: [
        login_returns_both_credentials_and_a_strict_cookie,
        unknown_user_and_wrong_password_look_the_same,
        login_is_limited_per_ip_and_failures_per_username,
        failed_logins_set_no_cookie_and_count_in_metrics,
    ],
    sessions: [
        the_session_gets_credentials_for_its_user_only,
        no_or_bad_cookie_is_401,
        logout_revokes_the_session_in_the_database,
        sessions_expire_and_are_purged,
        another_instance_sees_a_logout_within_the_cache_time,
        me_shows_the_signed_in_user,
    ],
    password: [
        a_password_change_revokes_the_other_sessions,
        the_current_password_must_be_right,
        the_new_password_follows_the_policy,
        a_password_change_needs_a_session,
        concurrent_password_changes_have_one_winner,
    ],
    admin: [
        operators_create_accounts_under_the_sign_up_rules,
        the_service_follows_disable_enable_and_delete,
    ],
    bearer: [
        a_bearer_login_returns_the_session_in_the_body,
        bearer_sessions_skip_the_cross_site_check,
        a_token_works_only_the_way_it_was_issued,
        bearer_logout_and_password_change_revoke,
        a_disabled_account_is_refused_like_a_wrong_password,
        owners_delete_their_account_with_the_password,
    ],
    csrf: [
        cookie_posts_from_other_sites_are_403,
        logins_from_other_sites_are_refused_but_clients_without_browsers_are_not,
        listed_origins_may_use_the_session,
    ],
    page: [
        the_page_is_served_with_a_strict_policy,
        openapi_describes_exactly_the_accounts_mode_routes,
        readiness_checks_the_database,
    ],
}
