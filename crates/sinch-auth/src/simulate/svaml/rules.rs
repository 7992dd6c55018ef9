//! Which actions and instructions each callback may answer with, and the
//! fields each one takes.
//!
//! Sources: the SVAML quick reference of Sinch's Voice API reference
//! (developers.sinch.com/docs/voice/api-reference/svaml/, the ICE/ACE/PIE
//! table of actions), its "Actions" and "Instructions" pages (fields,
//! required ones, limits), and the official Node SDK's response types
//! (`IceResponse`, `AceResponse`, `PieResponse` and `mod-svaml/*` in
//! github.com/sinch/sinch-sdk-node `packages/voice`) for the instructions
//! per event. Where they differ the API reference wins: it allows
//! `connectPstn` and `connectSip` in a PIE answer, the SDK's `PieResponse`
//! does not list them yet.

/// The JSON type a field must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ty {
    Str,
    Int,
    Bool,
    Object,
    Array,
    StrArray,
}

impl Ty {
    pub(super) fn describe(self) -> &'static str {
        match self {
            Ty::Str => "a string",
            Ty::Int => "a whole number",
            Ty::Bool => "true or false",
            Ty::Object => "an object",
            Ty::Array => "an array",
            Ty::StrArray => "an array of strings",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Field {
    pub(super) name: &'static str,
    pub(super) ty: Ty,
    pub(super) required: bool,
}

const fn opt(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        required: false,
    }
}

const fn req(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        required: true,
    }
}

/// The events a SVAML element may answer, ICE/ACE/PIE.
#[derive(Debug, Clone, Copy)]
pub(super) struct Events {
    pub(super) ice: bool,
    pub(super) ace: bool,
    pub(super) pie: bool,
}

const fn on(ice: bool, ace: bool, pie: bool) -> Events {
    Events { ice, ace, pie }
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Rule {
    pub(super) name: &'static str,
    pub(super) events: Events,
    pub(super) fields: &'static [Field],
}

use Ty::*;

pub(super) const ACTIONS: &[Rule] = &[
    Rule {
        name: "hangup",
        events: on(true, true, true),
        fields: &[],
    },
    Rule {
        name: "continue",
        events: on(false, true, true),
        fields: &[],
    },
    Rule {
        name: "connectPstn",
        events: on(true, false, true),
        // `number` is checked separately: whether it is needed depends on the call.
        fields: &[
            opt("number", Str),
            opt("locale", Str),
            opt("maxDuration", Int),
            opt("dialTimeout", Int),
            opt("cli", Str),
            opt("suppressCallbacks", Bool),
            opt("dtmf", Str),
            opt("indications", Str),
            opt("amd", Object),
        ],
    },
    Rule {
        name: "connectMxp",
        events: on(true, false, false),
        fields: &[opt("destination", Object), opt("callHeaders", Array)],
    },
    Rule {
        name: "connectConf",
        events: on(true, true, true),
        fields: &[
            req("conferenceId", Str),
            opt("conferenceDtmfOptions", Object),
            opt("moh", Str),
        ],
    },
    Rule {
        name: "connectSip",
        events: on(true, false, true),
        fields: &[
            req("destination", Object),
            opt("maxDuration", Int),
            opt("cli", Str),
            opt("transport", Str),
            opt("suppressCallbacks", Bool),
            opt("callHeaders", Array),
            opt("moh", Str),
        ],
    },
    Rule {
        name: "connectStream",
        events: on(true, false, false),
        fields: &[
            req("destination", Object),
            opt("streamingOptions", Object),
            opt("maxDuration", Int),
            opt("callHeaders", Array),
        ],
    },
    Rule {
        name: "runMenu",
        events: on(true, true, true),
        fields: &[
            opt("barge", Bool),
            opt("locale", Str),
            opt("mainMenu", Str),
            opt("enableVoice", Bool),
            req("menus", Array),
        ],
    },
    Rule {
        name: "park",
        events: on(true, false, false),
        fields: &[
            opt("locale", Str),
            opt("introPrompt", Str),
            opt("holdPrompt", Str),
            opt("maxDuration", Int),
        ],
    },
];

pub(super) const INSTRUCTIONS: &[Rule] = &[
    Rule {
        name: "playFiles",
        events: on(true, true, true),
        fields: &[req("ids", StrArray), opt("locale", Str)],
    },
    Rule {
        name: "say",
        events: on(true, true, true),
        fields: &[req("text", Str), opt("locale", Str)],
    },
    Rule {
        name: "sendDtmf",
        events: on(true, false, true),
        fields: &[req("value", Str)],
    },
    Rule {
        name: "setCookie",
        events: on(true, true, true),
        fields: &[req("key", Str), req("value", Str)],
    },
    Rule {
        name: "answer",
        events: on(true, false, false),
        fields: &[],
    },
    Rule {
        name: "startRecording",
        events: on(true, true, true),
        fields: &[opt("options", Object)],
    },
    Rule {
        name: "stopRecording",
        events: on(false, false, true),
        fields: &[],
    },
];

/// Longest call Sinch connects, in seconds (`maxDuration`).
pub(super) const MAX_DURATION_SECS: i64 = 14_400;
/// Longest conference id.
pub(super) const MAX_CONFERENCE_ID_CHARS: usize = 64;
/// Default longest `say` text.
pub(super) const MAX_SAY_CHARS: usize = 600;
