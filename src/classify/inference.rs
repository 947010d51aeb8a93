//! The channel of a share nobody labelled, by the order of evidence in
//! DOMAIN.md ("Implications" 3): the channel the token declares, then a
//! preview fetcher seen for the link, then the arriving visitor's in-app
//! browser, then the referrer. Reports keep declared and inferred channels
//! apart, so the answer says which evidence decided it.

use serde::Serialize;

use super::{Channel, RequestClass, Source, Verdict};

/// What decided a share's channel, strongest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    /// The share button or link said so.
    Declared,
    /// A preview fetcher named the app (DOMAIN.md A.3).
    Preview,
    /// The visitor arrived in an app's in-app browser (DOMAIN.md C).
    InApp,
    /// The referrer named the app or site (DOMAIN.md D).
    Referrer,
}

impl Evidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::Declared => "declared",
            Evidence::Preview => "preview",
            Evidence::InApp => "in_app",
            Evidence::Referrer => "referrer",
        }
    }

    /// Whether the channel was declared rather than inferred.
    pub fn is_declared(self) -> bool {
        self == Evidence::Declared
    }
}

/// The channel of a share and the evidence that decided it, or `None` when
/// nothing names one (the caller then files the share under `copy`, as
/// DESIGN.md says for tokens that arrive unregistered).
///
/// - `declared`: the channel the token or link carries, if any.
/// - `previews`: the channels of preview fetches seen for the link, oldest
///   first. The latest named channel wins; `other` only counts when no
///   preview named a channel of its own.
/// - `in_app`: the channel of the arriving visitor's in-app browser
///   ([`super::UserAgentInfo::in_app_channel`]).
/// - `referrer`: the channel the arrival's referrer names
///   ([`super::Source::channel`]).
pub fn infer_channel(
    declared: Option<Channel>,
    previews: &[Channel],
    in_app: Option<Channel>,
    referrer: Option<Channel>,
) -> Option<(Channel, Evidence)> {
    if let Some(channel) = declared {
        return Some((channel, Evidence::Declared));
    }

    let named_preview = previews
        .iter()
        .rev()
        .find(|c| **c != Channel::Other)
        .or_else(|| previews.last());
    if let Some(channel) = named_preview {
        return Some((*channel, Evidence::Preview));
    }

    if let Some(channel) = in_app {
        return Some((channel, Evidence::InApp));
    }
    referrer.map(|channel| (channel, Evidence::Referrer))
}

/// The channel one request's own evidence names for the share it belongs
/// to: its preview fetcher, else its in-app browser, else its referrer
/// (DOMAIN.md's order). Machines other than previews name none.
pub fn evidence_channel(verdict: &Verdict, referrer: Option<&Source>) -> Option<Channel> {
    let (previews, in_app) = match verdict.class {
        RequestClass::Preview => (verdict.channel.as_slice(), None),
        RequestClass::Person => (&[][..], verdict.agent.in_app_channel),
        _ => (&[][..], None),
    };
    let referrer = referrer.and_then(Source::channel);
    infer_channel(None, previews, in_app, referrer).map(|(channel, _)| channel)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Channel as C;

    #[test]
    fn a_declared_channel_wins_over_everything() {
        assert_eq!(
            infer_channel(Some(C::Sms), &[C::Imessage], Some(C::Facebook), Some(C::X)),
            Some((C::Sms, Evidence::Declared))
        );
    }

    #[test]
    fn a_preview_wins_over_the_in_app_browser_and_referrer() {
        // A link pasted into WhatsApp, opened in the Facebook app by a
        // recipient: the preview names where the share went.
        assert_eq!(
            infer_channel(None, &[C::Whatsapp], Some(C::Facebook), Some(C::Facebook)),
            Some((C::Whatsapp, Evidence::Preview))
        );
    }

    #[test]
    fn the_latest_named_preview_wins() {
        assert_eq!(
            infer_channel(
                None,
                &[C::Slack, C::Other, C::Telegram, C::Other],
                None,
                None
            ),
            Some((C::Telegram, Evidence::Preview))
        );
        assert_eq!(
            infer_channel(None, &[C::Other], None, None),
            Some((C::Other, Evidence::Preview))
        );
    }

    #[test]
    fn the_in_app_browser_wins_over_the_referrer() {
        assert_eq!(
            infer_channel(None, &[], Some(C::Messenger), Some(C::Facebook)),
            Some((C::Messenger, Evidence::InApp))
        );
    }

    #[test]
    fn the_referrer_comes_last() {
        assert_eq!(
            infer_channel(None, &[], None, Some(C::Telegram)),
            Some((C::Telegram, Evidence::Referrer))
        );
    }

    #[test]
    fn nothing_names_nothing() {
        assert_eq!(infer_channel(None, &[], None, None), None);
    }
}
