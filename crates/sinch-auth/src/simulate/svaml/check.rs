//! The checks themselves, one function per part of a SVAML object.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::SvamlProblem;
use super::rules::{
    ACTIONS, Events, INSTRUCTIONS, MAX_CONFERENCE_ID_CHARS, MAX_DURATION_SECS, MAX_SAY_CHARS, Rule,
    Ty,
};
use crate::error::json_reason;
use crate::simulate::VoiceEvent;

struct Checker {
    event: VoiceEvent,
    dialled_a_phone_number: bool,
    problems: Vec<SvamlProblem>,
}

pub(super) fn check(
    event: VoiceEvent,
    dialled_a_phone_number: bool,
    response: &[u8],
) -> Vec<SvamlProblem> {
    let mut checker = Checker {
        event,
        dialled_a_phone_number,
        problems: Vec::new(),
    };
    checker.body(response);
    checker.problems
}

fn allowed(events: Events, event: VoiceEvent) -> bool {
    match event {
        VoiceEvent::Ice => events.ice,
        VoiceEvent::Ace => events.ace,
        VoiceEvent::Pie => events.pie,
        _ => true,
    }
}

fn type_ok(value: &Value, ty: Ty) -> bool {
    match ty {
        Ty::Str => value.is_string(),
        Ty::Int => value.is_i64() || value.is_u64(),
        Ty::Bool => value.is_boolean(),
        Ty::Object => value.is_object(),
        Ty::Array => value.is_array(),
        Ty::StrArray => value
            .as_array()
            .is_some_and(|a| a.iter().all(Value::is_string)),
    }
}

fn is_e164(text: &str) -> bool {
    text.strip_prefix('+').is_some_and(|digits| {
        (1..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
    })
}

fn is_dtmf(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'#' || b == b'w')
}

impl Checker {
    fn problem(&mut self, at: impl Into<String>, message: impl Into<String>) {
        self.problems.push(SvamlProblem::new(at, message));
    }

    fn upper_event(&self) -> String {
        self.event.as_str().to_uppercase()
    }

    fn body(&mut self, response: &[u8]) {
        if response.iter().all(u8::is_ascii_whitespace) {
            self.problem(
                "body",
                format!(
                    "empty: Sinch expects a SVAML object answering {}",
                    self.upper_event()
                ),
            );
            return;
        }
        let value: Value = match serde_json::from_slice(response) {
            Ok(value) => value,
            Err(e) => {
                self.problem("body", format!("not JSON: {}", json_reason(&e)));
                return;
            }
        };
        let Value::Object(svaml) = value else {
            self.problem(
                "body",
                "must be a JSON object with \"action\" and \"instructions\"",
            );
            return;
        };
        for key in svaml.keys() {
            if key != "action" && key != "instructions" {
                self.problem(
                    key.as_str(),
                    "unknown member: SVAML has only \"action\" and \"instructions\"",
                );
            }
        }
        match svaml.get("action") {
            None => self.problem(
                "action",
                "missing: a SVAML object must contain exactly one action",
            ),
            Some(Value::Array(_)) => {
                self.problem("action", "one action only, as an object, not an array")
            }
            Some(Value::Object(action)) => self.action(action),
            Some(_) => self.problem("action", "must be an object with a \"name\""),
        }
        match svaml.get("instructions") {
            None | Some(Value::Null) => {}
            Some(Value::Array(instructions)) => {
                for (i, instruction) in instructions.iter().enumerate() {
                    let at = format!("instructions[{i}]");
                    match instruction {
                        Value::Object(instruction) => self.instruction(&at, instruction),
                        _ => self.problem(at, "must be an object with a \"name\""),
                    }
                }
            }
            Some(_) => self.problem("instructions", "must be an array of instruction objects"),
        }
    }

    /// The rule for `element.name`, if the name is known and allowed here.
    fn rule(
        &mut self,
        at: &str,
        element: &Map<String, Value>,
        rules: &'static [Rule],
        kind: &str,
    ) -> Option<&'static Rule> {
        let name_at = format!("{at}.name");
        let Some(name) = element.get("name") else {
            self.problem(name_at, format!("missing: every {kind} has a name"));
            return None;
        };
        let Some(name) = name.as_str() else {
            self.problem(name_at, "must be a string");
            return None;
        };
        let usable: Vec<&str> = rules
            .iter()
            .filter(|r| allowed(r.events, self.event))
            .map(|r| r.name)
            .collect();
        // Sinch's older documentation capitalizes names (ConnectPstn): case is not significant.
        let Some(rule) = rules.iter().find(|r| r.name.eq_ignore_ascii_case(name)) else {
            self.problem(
                name_at,
                format!(
                    "unknown {kind} {name:?}; answers to {} may use {}",
                    self.upper_event(),
                    usable.join(", ")
                ),
            );
            return None;
        };
        if !allowed(rule.events, self.event) {
            self.problem(
                name_at,
                format!(
                    "{} is not allowed in an answer to {}; use one of {}",
                    rule.name,
                    self.upper_event(),
                    usable.join(", ")
                ),
            );
            return None;
        }
        Some(rule)
    }

    /// Types, required and unknown fields of one action or instruction.
    fn fields(&mut self, at: &str, element: &Map<String, Value>, rule: &Rule) {
        for field in rule.fields {
            match element.get(field.name) {
                None | Some(Value::Null) if field.required => {
                    self.problem(
                        format!("{at}.{}", field.name),
                        format!("missing: {} requires it", rule.name),
                    );
                }
                Some(value) if !value.is_null() && !type_ok(value, field.ty) => {
                    self.problem(
                        format!("{at}.{}", field.name),
                        format!("must be {}", field.ty.describe()),
                    );
                }
                _ => {}
            }
        }
        for key in element.keys() {
            if key != "name" && !rule.fields.iter().any(|f| f.name == key) {
                let known: Vec<&str> = rule.fields.iter().map(|f| f.name).collect();
                let known = if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                };
                self.problem(
                    format!("{at}.{key}"),
                    format!("unknown field for {} (it takes: {known})", rule.name),
                );
            }
        }
    }

    fn action(&mut self, action: &Map<String, Value>) {
        let Some(rule) = self.rule("action", action, ACTIONS, "action") else {
            return;
        };
        self.fields("action", action, rule);
        let text = |key: &str| action.get(key).and_then(Value::as_str);
        if let Some(seconds) = action.get("maxDuration").and_then(Value::as_i64) {
            if !(0..=MAX_DURATION_SECS).contains(&seconds) {
                self.problem(
                    "action.maxDuration",
                    format!("must be 0 to {MAX_DURATION_SECS} seconds, got {seconds}"),
                );
            }
        }
        if let Some(cli) = text("cli") {
            if cli != "private" && !is_e164(cli) {
                self.problem(
                    "action.cli",
                    format!("{cli:?} is neither E.164 (+ and 1-15 digits) nor \"private\""),
                );
            }
        }
        match rule.name {
            "connectPstn" => self.connect_pstn(action),
            "connectConf" => {
                if let Some(id) = text("conferenceId") {
                    if id.is_empty() || id.chars().count() > MAX_CONFERENCE_ID_CHARS {
                        self.problem(
                            "action.conferenceId",
                            format!("must be 1 to {MAX_CONFERENCE_ID_CHARS} characters"),
                        );
                    }
                }
            }
            "connectSip" => self.destination(action, "sip"),
            "connectStream" => self.destination(action, "websocket"),
            "connectMxp" if action.contains_key("destination") => {
                self.destination(action, "username")
            }
            "runMenu" => self.run_menu(action),
            _ => {}
        }
    }

    fn connect_pstn(&mut self, action: &Map<String, Value>) {
        match action.get("number").and_then(Value::as_str) {
            Some(number) if !is_e164(number) => {
                self.problem("action.number", format!("{number:?} is not E.164: + and 1-15 digits, e.g. +46700000002"));
            }
            None if !self.dialled_a_phone_number && !action.contains_key("number") => self.problem(
                "action.number",
                "missing: without it Sinch dials the number the caller dialled, which for a call to \
                 your Sinch number is that number itself; name the phone to connect (E.164)",
            ),
            _ => {}
        }
        if let Some(dtmf) = action.get("dtmf").and_then(Value::as_str) {
            if !is_dtmf(dtmf) {
                self.problem(
                    "action.dtmf",
                    "only 0-9, # and w (a 500 ms pause) are allowed",
                );
            }
        }
    }

    fn destination(&mut self, action: &Map<String, Value>, wanted: &str) {
        let Some(destination) = action.get("destination").and_then(Value::as_object) else {
            return; // missing or mistyped: already reported
        };
        match destination.get("type").and_then(Value::as_str) {
            Some(t) if t.eq_ignore_ascii_case(wanted) => {}
            _ => self.problem("action.destination.type", format!("must be {wanted:?}")),
        }
        if destination
            .get("endpoint")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            self.problem(
                "action.destination.endpoint",
                "missing: where to connect the call",
            );
        }
    }

    fn run_menu(&mut self, action: &Map<String, Value>) {
        let Some(menus) = action.get("menus").and_then(Value::as_array) else {
            return;
        };
        let ids: HashSet<&str> = menus
            .iter()
            .filter_map(|m| m.get("id").and_then(Value::as_str))
            .collect();
        if !ids.contains("main") {
            self.problem(
                "action.menus",
                "no menu has the id \"main\": Sinch plays \"main\" first and fails without it",
            );
        }
        for (i, menu) in menus.iter().enumerate() {
            let at = format!("action.menus[{i}]");
            let Some(menu) = menu.as_object() else {
                self.problem(at, "must be an object");
                continue;
            };
            if !menu.get("id").is_some_and(Value::is_string) {
                self.problem(format!("{at}.id"), "missing: every menu has a string id");
            }
            let Some(options) = menu.get("options") else {
                continue;
            };
            let Some(options) = options.as_array() else {
                self.problem(format!("{at}.options"), "must be an array");
                continue;
            };
            for (j, option) in options.iter().enumerate() {
                let at = format!("{at}.options[{j}]");
                if !option.get("dtmf").is_some_and(Value::is_string) {
                    self.problem(
                        format!("{at}.dtmf"),
                        "missing: the digit that selects this option",
                    );
                }
                match option.get("action").and_then(Value::as_str) {
                    None => {
                        self.problem(format!("{at}.action"), "missing: menu(ID) or return(VALUE)")
                    }
                    Some(a) => {
                        let target = a.strip_prefix("menu(").and_then(|r| r.strip_suffix(')'));
                        let is_return =
                            a == "return" || a.starts_with("return(") && a.ends_with(')');
                        match target {
                            Some(id) if !ids.contains(id) => {
                                self.problem(
                                    format!("{at}.action"),
                                    format!("menu({id}) names no menu in menus"),
                                );
                            }
                            Some(_) => {}
                            None if is_return => {}
                            None => self.problem(
                                format!("{at}.action"),
                                format!("{a:?} is neither menu(ID) nor return(VALUE)"),
                            ),
                        }
                    }
                }
            }
        }
    }

    fn instruction(&mut self, at: &str, instruction: &Map<String, Value>) {
        let Some(rule) = self.rule(at, instruction, INSTRUCTIONS, "instruction") else {
            return;
        };
        self.fields(at, instruction, rule);
        match rule.name {
            "say" => {
                if let Some(text) = instruction.get("text").and_then(Value::as_str) {
                    let chars = text.chars().count();
                    if chars > MAX_SAY_CHARS {
                        self.problem(format!("{at}.text"), format!("{chars} characters; Sinch speaks at most {MAX_SAY_CHARS} by default"));
                    }
                }
            }
            "playFiles"
                if instruction
                    .get("ids")
                    .and_then(Value::as_array)
                    .is_some_and(Vec::is_empty) =>
            {
                self.problem(
                    format!("{at}.ids"),
                    "empty: name at least one file, #tts[...] or #ssml[...]",
                );
            }
            "sendDtmf" => {
                if let Some(value) = instruction.get("value").and_then(Value::as_str) {
                    if !is_dtmf(value) {
                        self.problem(
                            format!("{at}.value"),
                            "only 0-9, # and w (a 500 ms pause) are allowed",
                        );
                    }
                }
            }
            "startRecording" => {
                if let Some(options) = instruction.get("options").and_then(Value::as_object) {
                    for key in ["destinationUrl", "credentials"] {
                        if !options.get(key).is_some_and(Value::is_string) {
                            self.problem(
                                format!("{at}.options.{key}"),
                                "missing: a recording needs it",
                            );
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164_and_dtmf() {
        assert!(is_e164("+46700000000"));
        assert!(!is_e164("46700000000"));
        assert!(!is_e164("+"));
        assert!(!is_e164("+1234567890123456"));
        assert!(!is_e164("+4670 000"));
        assert!(is_dtmf("ww1234#w#"));
        assert!(!is_dtmf("12*"));
        assert!(!is_dtmf(""));
    }
}
