from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = "Publishing"

    def ready(self) -> None:
        # The search documents index the DOIs of the publications holding each dataset: the
        # catalogue (below) cannot ask publishing, so publishing hands it the lookup.
        from catalogue.search.documents import doi_lookup_set
        from publishing.selectors import dataset_dois

        doi_lookup_set(dataset_dois)
