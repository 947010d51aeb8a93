//! `hearsay sites create|list`.

use anyhow::Context;

use super::Cli;
use crate::event::now_ms;
use crate::store::SqliteStore;

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
    },
    /// List sites with their ids and domains.
    List,
}

pub fn run(cli: &Cli, command: &SitesCommand) -> anyhow::Result<()> {
    let config = cli.load_config(None)?;
    let mut store = SqliteStore::open(&config.data)
        .with_context(|| format!("opening store in {}", config.data.display()))?;
    match command {
        SitesCommand::Create { name, domains } => {
            let (site, key) =
                crate::sites::create::create_site(&mut store, name, domains, now_ms())?;
            println!("site id: {}", site.id);
            println!("domains: {}", site.domains.join(", "));
            println!("api key: {key}");
            eprintln!("the api key is shown this once and stored only as a hash");
        }
        SitesCommand::List => {
            for site in store.sites()? {
                println!("{}\t{}\t{}", site.id, site.name, site.domains.join(","));
            }
        }
    }
    Ok(())
}
