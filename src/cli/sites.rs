//! `hearsay sites create|list`.

use anyhow::Context;

use super::Cli;
use crate::event::now_ms;
use crate::sites::SiteSettings;

#[derive(clap::Subcommand)]
pub enum SitesCommand {
    /// Create a site; its API key is printed once.
    Create {
        /// The site's name (unique).
        #[arg(long)]
        name: String,
        /// A domain of the site; repeat for more. IDNs are stored in
        /// punycode.
        #[arg(long = "domain", required = true)]
        domains: Vec<String>,
        /// Days raw user agents are kept after the site last sent them
        /// [default: the server's user_agent_retention_days].
        #[arg(long, value_name = "DAYS")]
        user_agent_retention_days: Option<u32>,
    },
    /// Change a site's settings.
    Set {
        /// The site's id or name.
        site: String,
        /// Days raw user agents are kept after the site last sent them.
        #[arg(long, value_name = "DAYS")]
        user_agent_retention_days: u32,
    },
    /// List sites with their ids and domains.
    List,
}

pub fn run(cli: &Cli, command: &SitesCommand) -> anyhow::Result<()> {
    let config = cli.load_config(None)?;
    let mut store = super::open_store(&config)?;
    match command {
        SitesCommand::Create {
            name,
            domains,
            user_agent_retention_days,
        } => {
            let settings = SiteSettings {
                user_agent_retention_days: *user_agent_retention_days,
                ..Default::default()
            };
            let (site, key) =
                crate::sites::create::create_site(&mut store, name, domains, settings, now_ms())?;
            println!("site id: {}", site.id);
            println!("domains: {}", site.domains.join(", "));
            println!("api key: {key}");
            eprintln!("the api key is shown this once and stored only as a hash");
        }
        SitesCommand::Set {
            site,
            user_agent_retention_days,
        } => {
            let mut found = super::find_site(&store, site)?;
            found.settings.user_agent_retention_days = Some(*user_agent_retention_days);
            store
                .update_site_settings(&found.id, &found.settings)
                .with_context(|| format!("changing the settings of site {site:?}"))?;
            println!(
                "site {}: raw user agents kept {user_agent_retention_days} days",
                found.name
            );
        }
        SitesCommand::List => {
            for site in store.sites()? {
                println!("{}\t{}\t{}", site.id, site.name, site.domains.join(","));
            }
        }
    }
    Ok(())
}
