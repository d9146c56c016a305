# Talk to the backup API of a running web application (Operate or Tasklist)
# on its management port. Every attribute can come from the environment
# instead: CAMUNDA_ACTUATOR_URL, CAMUNDA_ACTUATOR_TOKEN, ...
provider "camunda" {
  actuator {
    url      = "http://localhost:9600"
    endpoint = "backupHistory" # "backups" before Camunda 8.8 or for standalone apps

    # The repository the web applications are configured with: informational,
    # it lets a restore be planned from Terraform alone.
    repository = "camunda"
  }
}

# Or drive Elasticsearch snapshots directly, no web application needed.
# Credentials are best left to ELASTICSEARCH_USERNAME / ELASTICSEARCH_PASSWORD
# or ELASTICSEARCH_API_KEY.
provider "camunda" {
  alias = "elasticsearch"

  elasticsearch {
    urls         = ["https://elasticsearch:9200"]
    ca_file      = "/etc/ssl/elasticsearch-ca.pem"
    repository   = "camunda"
    index_prefix = "" # Camunda's indexPrefix, when it is set
    version      = "8.8.0"
  }

  request_timeout = "30s"
  retries         = 3
}
