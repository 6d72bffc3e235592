//! One story, run against both storage backends: whatever IT chooses,
//! accounts behave the same. PostgreSQL comes from DATABASE_URL, which
//! scripts/test.sh provides (scripts/with-postgres.sh starts a throwaway
//! cluster when none is given); each run gets its own fresh database.

#![allow(clippy::unwrap_used)] // test helpers may unwrap, like #[test] functions (clippy.toml)

use doorstep_server::accounts::{PasswordDigest, Role};
use doorstep_server::storage::postgres::PostgresStorage;
use doorstep_server::storage::sqlite::SqliteStorage;
use doorstep_server::storage::{NewUser, Storage, StorageError};

async fn accounts_story<S: Storage>(storage: &S) {
    storage.check_ready().await.unwrap();

    let team = storage.add_team("Adults North").await.unwrap();
    assert_eq!(team.name, "Adults North");
    storage.add_team("Housing East").await.unwrap();
    let duplicate = storage.add_team("  adults north ").await.unwrap_err();
    assert!(
        matches!(duplicate, StorageError::AlreadyExists(_)),
        "{duplicate:?}"
    );
    assert!(duplicate.to_string().contains("Choose another name"));
    let names: Vec<String> = storage
        .teams()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["Adults North", "Housing East"]);

    let digest = PasswordDigest::hash("correct horse battery staple").unwrap();
    let amira = storage
        .add_user(NewUser {
            name: "amira.khan".into(),
            role: Role::Caseworker,
            team: Some("adults north".into()),
            digest: digest.clone(),
        })
        .await
        .unwrap();
    assert_eq!(amira.role, Role::Caseworker);
    assert!(!amira.disabled);

    let taken = storage
        .add_user(NewUser {
            name: "Amira.Khan".into(),
            role: Role::Admin,
            team: None,
            digest: digest.clone(),
        })
        .await
        .unwrap_err();
    assert!(matches!(taken, StorageError::AlreadyExists(_)));
    let no_team = storage
        .add_user(NewUser {
            name: "ben.jones".into(),
            role: Role::TeamLead,
            team: Some("Nowhere".into()),
            digest: digest.clone(),
        })
        .await
        .unwrap_err();
    assert!(matches!(no_team, StorageError::NotFound(_)));
    assert_eq!(
        storage.users().await.unwrap().len(),
        1,
        "refused users are not stored"
    );

    let found = storage.credentials("AMIRA.KHAN").await.unwrap().unwrap();
    assert_eq!(found.user.team.as_deref(), Some("Adults North"));
    assert!(found.digest.verify("correct horse battery staple"));
    assert!(storage.credentials("nobody").await.unwrap().is_none());

    let disabled = storage.set_user_disabled("amira.khan", true).await.unwrap();
    assert!(disabled.disabled);
    assert!(
        storage
            .credentials("amira.khan")
            .await
            .unwrap()
            .unwrap()
            .user
            .disabled
    );
    assert!(
        !storage
            .set_user_disabled("amira.khan", false)
            .await
            .unwrap()
            .disabled
    );
    let unknown = storage.set_user_disabled("nobody", true).await.unwrap_err();
    assert!(matches!(unknown, StorageError::NotFound(_)));
}

#[tokio::test]
async fn accounts_behave_the_same_on_embedded_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let storage = SqliteStorage::open(dir.path()).unwrap();
    accounts_story(&storage).await;
}

/// A fresh database on the server DATABASE_URL names, dropped afterwards.
struct ScratchDatabase {
    admin_url: String,
    name: String,
}

impl ScratchDatabase {
    async fn create() -> (Self, String) {
        let admin_url = std::env::var("DATABASE_URL").expect(
            "DATABASE_URL is not set: run the tests with scripts/with-postgres.sh (scripts/test.sh does), or point it at a PostgreSQL server",
        );
        let name = format!(
            "doorstep_test_{}_{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        );
        let (client, connection) = tokio_postgres::connect(&admin_url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let mut config: tokio_postgres::Config = admin_url.parse().unwrap();
        config.dbname(&name);
        let url = format!(
            "postgres://{}@{}:{}/{name}",
            config.get_user().unwrap_or("postgres"),
            match config.get_hosts().first() {
                Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
                _ => "127.0.0.1".into(),
            },
            config.get_ports().first().copied().unwrap_or(5432),
        );
        (Self { admin_url, name }, url)
    }

    async fn drop_it(self) {
        let (client, connection) = tokio_postgres::connect(&self.admin_url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        client
            .batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn accounts_behave_the_same_on_postgresql() {
    let (scratch, url) = ScratchDatabase::create().await;
    {
        let storage = PostgresStorage::connect(&url).await.unwrap();
        accounts_story(&storage).await;
        // A second node starting on the same database finds it migrated.
        let second_node = PostgresStorage::connect(&url).await.unwrap();
        assert_eq!(second_node.users().await.unwrap().len(), 1);
    }
    scratch.drop_it().await;
}

#[tokio::test]
async fn a_bad_database_url_gets_a_clear_error() {
    let error = PostgresStorage::connect("postgres://nobody@127.0.0.1:1/none")
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("Check --database-url"),
        "{error}"
    );
}

#[tokio::test]
async fn an_unusable_name_is_refused_with_what_to_type_instead() {
    let dir = tempfile::tempdir().unwrap();
    let storage = SqliteStorage::open(dir.path()).unwrap();
    let error = storage.add_team("   ").await.unwrap_err();
    assert!(
        matches!(error, StorageError::InvalidName { kind: "team", .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("use 1 to 100 characters"),
        "{error}"
    );
    assert!(storage.teams().await.unwrap().is_empty());
}
