"""The OpenAPI document names every schema once: two apps' `ClaimIn` are two components."""

from __future__ import annotations

from typing import Any

import pytest
from ninja.openapi.schema import OpenAPISchema

from gonghui.api import api, qualified_schema_name


class RecordingSchema(OpenAPISchema):
    """ninja's document builder, noting every name that arrives twice with different content."""

    clashes: set[str]

    def add_schema_definitions(self, definitions: dict[str, Any]) -> None:
        for name, definition in definitions.items():
            if name in self.schemas and self.schemas[name] != definition:
                self.clashes.add(name)
        super().add_schema_definitions(definitions)


def test_no_two_schemas_share_a_component_name() -> None:
    api.mount_routers()
    RecordingSchema.clashes = set()
    RecordingSchema(api, "/api/v1/")
    assert RecordingSchema.clashes == set()


def test_same_named_schemas_of_two_apps_are_both_in_the_document() -> None:
    schemas = api.get_openapi_schema()["components"]["schemas"]
    assert {"BenefitsCampaignsClaimIn", "MutualaidMemberClaimIn"} <= set(schemas)
    assert "ClaimIn" not in schemas


@pytest.mark.parametrize(
    ("dotted", "name"),
    [
        ("gonghui.mutualaid.api.member.ClaimIn", "MutualaidMemberClaimIn"),
        ("gonghui.founding.api.HistoryOut", "FoundingHistoryOut"),
        ("gonghui.founding.models.ApplicationStatus", "FoundingApplicationStatus"),
        ("gonghui.orgs.api.coverage.CoverageOut", "OrgsCoverageOut"),
        ("gonghui.benefits.api.campaigns.CampaignOut", "BenefitsCampaignOut"),
        ("gonghui.api.CheckOut", "CheckOut"),
        ("ninja.schema.Schema", ""),
    ],
)
def test_names_say_where_the_class_lives(dotted: str, name: str) -> None:
    assert qualified_schema_name(dotted) == name
