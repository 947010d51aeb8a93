//! `hearsay links create`.

use anyhow::Context;

use super::Cli;
use crate::classify::Channel;
use crate::event::now_ms;
use crate::links::create::{LinkRequest, create_link};

#[derive(clap::Subcommand)]
pub enum LinksCommand {
    /// Create a short link to a page on one of the site's domains; prints
    /// the short URL.
    Create {
        /// The site, by id or name.
        #[arg(long)]
        site: String,
        /// The target URL.
        url: String,
        /// The channel the link is for (whatsapp, email, sms…).
        #[arg(long)]
        channel: Option<String>,
        /// RFC 3339 time after which the link answers 410 Gone.
        #[arg(long, value_name = "TIME")]
        expires_at: Option<String>,
        /// Number of clicks after which the link answers 410 Gone.
        #[arg(long, value_name = "N")]
        max_clicks: Option<i64>,
    },
}

pub fn run(cli: &Cli, command: &LinksCommand) -> anyhow::Result<()> {
    let config = cli.load_config(None)?;
    let LinksCommand::Create {
        site,
        url,
        channel,
        expires_at,
        max_clicks,
    } = command;
    let mut store = super::open_store(&config)?;
    let site = super::find_site(&store, site)?;
    let channel = match channel {
        Some(name) => {
            Some(Channel::parse(name).with_context(|| format!("unknown channel {name:?}"))?)
        }
        None => None,
    };
    let expires_ms = match expires_at {
        Some(text) => Some(
            chrono::DateTime::parse_from_rfc3339(text)
                .with_context(|| format!("--expires-at {text:?} is not an RFC 3339 time"))?
                .timestamp_millis(),
        ),
        None => None,
    };
    let request = LinkRequest {
        url: url.clone(),
        channel,
        share_token: None,
        expires_ms,
        max_clicks: *max_clicks,
    };
    let link = create_link(&mut store, &site, &request, now_ms()).context("creating link")?;
    println!("{}/{}", crate::server::short_link_base(&config), link.code);
    eprintln!(
        "code {} → {}",
        link.code,
        link.location.to_str().unwrap_or("?")
    );
    Ok(())
}
