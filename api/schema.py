"""The shapes of the API's answers, for the OpenAPI schema only (the views write plain dicts,
api/records.py; the schemathesis test checks that every answer fits these)."""

from __future__ import annotations

from rest_framework import serializers as s


class Problem(s.Serializer):
    type = s.CharField(help_text="A URI naming the problem type; about:blank: see the status.")
    title = s.CharField()
    status = s.IntegerField()
    detail = s.CharField()
    instance = s.CharField(help_text="The request's path and query.")
    parameter = s.CharField(required=False, help_text="The query parameter at fault (400).")
    reason = s.CharField(required=False, allow_null=True, help_text="Why it was withdrawn (410).")
    withdrawn_at = s.DateTimeField(required=False, allow_null=True)


class DatasetSummary(s.Serializer):
    pid = s.CharField(help_text="Persistent identifier (may contain '/').")
    title = s.CharField()
    type = s.CharField(help_text="raw or derived.")
    start_time = s.DateTimeField(allow_null=True)
    size = s.IntegerField(help_text="Bytes.")
    run_number = s.CharField(allow_null=True)
    source_folder = s.CharField(allow_null=True)
    proposal = s.CharField(allow_null=True, help_text="Proposal id.")
    thumbnail = s.URLField(allow_null=True)
    url = s.URLField(help_text="This record in the API.")
    landing_page = s.URLField()


class Page(s.Serializer):
    count = s.IntegerField(help_text="Results in the whole list.")
    next = s.URLField(allow_null=True, help_text="The next page, null on the last.")
    previous = s.URLField(allow_null=True, help_text="The previous page, null on the first.")


class DatasetPage(Page):
    results = DatasetSummary(many=True)


class InstrumentSerializer(s.Serializer):
    pid = s.CharField()
    name = s.CharField()
    unique_name = s.CharField(allow_null=True)
    facility = s.CharField(allow_null=True)
    datasets = s.URLField(help_text="Its datasets in the API (the instrument filter).")


class InstrumentEntry(InstrumentSerializer):
    dataset_count = s.IntegerField(help_text="Public datasets taken on it.")


class InstrumentPage(Page):
    results = InstrumentEntry(many=True)


class ProposalSerializer(s.Serializer):
    proposal_id = s.CharField()
    title = s.CharField(allow_null=True)
    principal_investigator = s.CharField(allow_null=True)
    type = s.CharField(allow_null=True)
    start_time = s.DateTimeField(allow_null=True)
    end_time = s.DateTimeField(allow_null=True)
    datasets = s.URLField(help_text="Its datasets in the API (the proposal filter).")


class ProposalEntry(ProposalSerializer):
    dataset_count = s.IntegerField()


class ProposalPage(Page):
    results = ProposalEntry(many=True)


class Technique(s.Serializer):
    pid = s.CharField()
    name = s.CharField()
    panet_id = s.CharField(allow_null=True, help_text="PaNET ontology id, e.g. PaNET01188.")
    panet_url = s.URLField(allow_null=True)


class Parameter(s.Serializer):
    key = s.CharField(help_text="Dotted path in the scientific metadata.")
    value = s.CharField(help_text="The value as stored.")
    unit = s.CharField(allow_null=True, help_text="The unit as stored.")
    number = s.FloatField(allow_null=True)
    number_max = s.FloatField(allow_null=True, help_text="Upper end of a range.")
    si_value = s.FloatField(allow_null=True, help_text="In SI base units.")
    si_value_max = s.FloatField(allow_null=True)
    si_unit = s.CharField(allow_null=True)
    text = s.CharField(allow_null=True)


class Creator(s.Serializer):
    name = s.CharField()
    orcid = s.CharField(allow_null=True)


class Thumbnail(s.Serializer):
    url = s.URLField(allow_null=True)
    caption = s.CharField(allow_null=True)


class PublicationLink(s.Serializer):
    doi = s.CharField()
    title = s.CharField()
    url = s.URLField()
    landing_page = s.URLField()


class Usage(s.Serializer):
    views = s.IntegerField(help_text="COUNTER total investigations (regular and machine).")
    unique_views = s.IntegerField()
    downloads = s.IntegerField(help_text="COUNTER total requests.")
    unique_downloads = s.IntegerField()
    machine_views = s.IntegerField()
    since = s.DateField(allow_null=True, help_text="First month counted.")


class Links(s.Serializer):
    self = s.URLField()
    landing_page = s.URLField()
    exports = s.DictField(child=s.URLField(), help_text="Export format -> URL.")
    download_lists = s.DictField(child=s.URLField(), help_text="Metalink, aria2, JSON lists.")


class DatasetLinks(Links):
    files = s.URLField()


class DatasetSerializer(s.Serializer):
    pid = s.CharField()
    doi = s.CharField(allow_null=True, help_text="DOI of a publication of just this dataset.")
    title = s.CharField()
    description = s.CharField(allow_null=True)
    type = s.CharField()
    keywords = s.ListField(child=s.CharField())
    license = s.CharField(allow_null=True)
    creators = Creator(many=True)
    principal_investigators = s.ListField(child=s.CharField())
    creation_time = s.DateTimeField(allow_null=True)
    start_time = s.DateTimeField(allow_null=True)
    end_time = s.DateTimeField(allow_null=True)
    embargo_end = s.DateTimeField(allow_null=True)
    size = s.IntegerField()
    number_of_files = s.IntegerField()
    files_status = s.CharField()
    run_number = s.CharField(allow_null=True)
    source_folder = s.CharField(allow_null=True)
    data_format = s.CharField(allow_null=True)
    data_location = s.ChoiceField(
        choices=["disk", "partial", "tape", "unavailable", "unknown"],
        help_text="Where the files are: as the storage system last answered (tape/), else as "
        "the catalogue says.",
    )
    instrument = InstrumentSerializer(allow_null=True)
    proposal = ProposalSerializer(allow_null=True)
    techniques = Technique(many=True)
    scientific_metadata = s.JSONField(help_text="As the facility's catalogue holds it.")
    parameters = Parameter(many=True)
    thumbnails = Thumbnail(many=True)
    publications = PublicationLink(many=True)
    usage = Usage()
    modified = s.DateTimeField()
    links = DatasetLinks()


class FileEntry(s.Serializer):
    path = s.CharField()
    size = s.IntegerField()
    checksum = s.CharField(allow_null=True)
    checksum_algorithm = s.CharField(allow_null=True)
    download = s.URLField(allow_null=True, help_text="Counted download link, when offered.")


class FilePage(Page):
    results = FileEntry(many=True)


class DatasetRef(s.Serializer):
    pid = s.CharField()
    url = s.URLField()


class PublicationSerializer(s.Serializer):
    doi = s.CharField()
    title = s.CharField()
    creators = s.ListField(child=s.DictField(), help_text="DataCite creators.")
    contributors = s.ListField(
        child=s.DictField(), help_text="DataCite contributors, each with its contributorType."
    )
    publisher = s.CharField(allow_null=True)
    publication_year = s.IntegerField(allow_null=True)
    resource_type = s.CharField(allow_null=True)
    abstract = s.CharField(allow_null=True)
    subjects = s.ListField(child=s.DictField())
    rights = s.ListField(child=s.DictField())
    related_identifiers = s.ListField(child=s.DictField())
    funding_references = s.ListField(child=s.DictField())
    dates = s.ListField(child=s.DictField())
    geo_locations = s.ListField(child=s.DictField(), help_text="DataCite geoLocations.")
    url = s.URLField()
    landing_page = s.URLField()
    modified = s.DateTimeField()


class PublicationDetail(PublicationSerializer):
    datasets = DatasetRef(many=True)
    usage = Usage()
    links = Links()


class PublicationPage(Page):
    results = PublicationSerializer(many=True)
