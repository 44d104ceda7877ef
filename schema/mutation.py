"""The root Mutation, merged from the areas' classes in schema/<area>/*_mutations.py (schema/README.md)."""

from __future__ import annotations

import strawberry

from schema.admin.tokens_mutations import TokenMutations
from schema.admin.webhooks_mutations import WebhookMutations
from schema.catalogue.basis_mutations import BasisMutations
from schema.catalogue.comment_periods_mutations import CommentPeriodMutations
from schema.catalogue.exchange_mutations import CatalogMutations
from schema.catalogue.flow_mutations import FlowMutations
from schema.catalogue.position_mutations import PositionMutations
from schema.catalogue.power_mutations import PowerMutations
from schema.catalogue.unit_mutations import UnitMutations
from schema.filings.filing_mutations import FilingMutations
from schema.library.legal_mutations import LegalDocumentMutations
from schema.library.thesaurus_mutations import ThesaurusMutations
from schema.library.upload_mutations import LibraryMutations
from schema.oversight.cases_mutations import CaseMutations
from schema.oversight.dashboard_mutations import DashboardMutations
from schema.oversight.functions_mutations import FunctionMutations
from schema.oversight.information_requests_mutations import InformationRequestMutations
from schema.oversight.loop_mutations import LoopMutations
from schema.oversight.rectifications_mutations import RectificationMutations
from schema.oversight.supervision_mutations import OversightMutations
from schema.workflow.leading_group_mutations import LeadingGroupMutations
from schema.workflow.reviews_mutations import WorkflowMutations
from schema.workflow.revisions_mutations import RevisionMutations


@strawberry.type(description="Changes: each returns the changed object, `Deleted`, or a typed error; nothing changes on error.")
class Mutation(
    # The SDL (schema.graphql) lists the fields in the order of these bases: keep the order, add a class at the end.
    UnitMutations,  # catalogue: unit_mutations
    PositionMutations,  # catalogue: position_mutations
    PowerMutations,  # catalogue: power_mutations
    BasisMutations,  # catalogue: basis_mutations
    FlowMutations,  # catalogue: flow_mutations
    LegalDocumentMutations,  # library: legal_mutations
    LibraryMutations,  # library: upload_mutations
    FilingMutations,  # filings: filing_mutations
    WorkflowMutations,  # workflow: reviews_mutations
    RevisionMutations,  # workflow: revisions_mutations
    OversightMutations,  # oversight: supervision_mutations
    DashboardMutations,  # oversight: dashboard_mutations
    TokenMutations,  # admin: tokens_mutations
    CatalogMutations,  # catalogue: exchange_mutations
    WebhookMutations,  # admin: webhooks_mutations
    ThesaurusMutations,  # library: thesaurus_mutations
    LeadingGroupMutations,  # workflow: leading_group_mutations
    CommentPeriodMutations,  # catalogue: comment_periods_mutations
    InformationRequestMutations,  # oversight: information_requests_mutations
    FunctionMutations,  # oversight: functions_mutations (三定, 四个对应)
    RectificationMutations,  # oversight: rectifications_mutations (整改, 责任追究)
    CaseMutations,  # oversight: cases_mutations
    LoopMutations,  # oversight: loop_mutations
):
    pass
