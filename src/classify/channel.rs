//! The channels a share can travel through, in the words of DESIGN.md.

use serde::{Deserialize, Serialize};

/// Where a share went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Whatsapp,
    Sms,
    Email,
    Messenger,
    Telegram,
    Signal,
    Slack,
    Discord,
    Teams,
    Wechat,
    Line,
    Viber,
    Imessage,
    Kakaotalk,
    Snapchat,
    Copy,
    Native,
    Facebook,
    Instagram,
    X,
    Linkedin,
    Reddit,
    Pinterest,
    Bluesky,
    Threads,
    Mastodon,
    Tiktok,
    Other,
}

impl Channel {
    pub const ALL: [Channel; 28] = [
        Channel::Whatsapp,
        Channel::Sms,
        Channel::Email,
        Channel::Messenger,
        Channel::Telegram,
        Channel::Signal,
        Channel::Slack,
        Channel::Discord,
        Channel::Teams,
        Channel::Wechat,
        Channel::Line,
        Channel::Viber,
        Channel::Imessage,
        Channel::Kakaotalk,
        Channel::Snapchat,
        Channel::Copy,
        Channel::Native,
        Channel::Facebook,
        Channel::Instagram,
        Channel::X,
        Channel::Linkedin,
        Channel::Reddit,
        Channel::Pinterest,
        Channel::Bluesky,
        Channel::Threads,
        Channel::Mastodon,
        Channel::Tiktok,
        Channel::Other,
    ];

    /// The channel's name as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Whatsapp => "whatsapp",
            Channel::Sms => "sms",
            Channel::Email => "email",
            Channel::Messenger => "messenger",
            Channel::Telegram => "telegram",
            Channel::Signal => "signal",
            Channel::Slack => "slack",
            Channel::Discord => "discord",
            Channel::Teams => "teams",
            Channel::Wechat => "wechat",
            Channel::Line => "line",
            Channel::Viber => "viber",
            Channel::Imessage => "imessage",
            Channel::Kakaotalk => "kakaotalk",
            Channel::Snapchat => "snapchat",
            Channel::Copy => "copy",
            Channel::Native => "native",
            Channel::Facebook => "facebook",
            Channel::Instagram => "instagram",
            Channel::X => "x",
            Channel::Linkedin => "linkedin",
            Channel::Reddit => "reddit",
            Channel::Pinterest => "pinterest",
            Channel::Bluesky => "bluesky",
            Channel::Threads => "threads",
            Channel::Mastodon => "mastodon",
            Channel::Tiktok => "tiktok",
            Channel::Other => "other",
        }
    }

    /// Reads a channel name; `None` for a name hearsay does not know.
    pub fn parse(name: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// Dark channels are private, person to person or small group; public
    /// ones are feeds.
    pub fn is_dark(self) -> bool {
        !matches!(
            self,
            Channel::Facebook
                | Channel::Instagram
                | Channel::X
                | Channel::Linkedin
                | Channel::Reddit
                | Channel::Pinterest
                | Channel::Bluesky
                | Channel::Threads
                | Channel::Mastodon
                | Channel::Tiktok
        )
    }
}

impl std::fmt::Display for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
