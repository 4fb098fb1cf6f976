"""Readable, translatable labels for the value codes in method definitions (schema.py)."""

from django.utils.translation import gettext_lazy as _

SETTINGS = {
    "family": _("Family"),
    "foster_care": _("Foster care"),
    "residential": _("Residential care"),
    "school": _("School"),
    "disability": _("Disability care"),
    "transition_adulthood": _("Transition to adulthood"),
    "crisis": _("Crisis"),
    "justice": _("Justice"),
}

REQUEST_KINDS = {
    "parenting": _("Parenting"),
    "safety": _("Safety"),
    "school": _("School"),
    "placement": _("Placement"),
    "transition_adulthood": _("Transition to adulthood"),
    "crisis": _("Crisis"),
    "disability": _("Disability"),
    "restoration": _("Restoration"),
    "future_planning": _("Planning the future"),
    "lost_contacts": _("Lost contacts"),
    "violence_at_home": _("Violence at home"),
    "justice": _("Justice"),
}

LEADERS = {
    "independent_coordinator": _("Independent coordinator"),
    "own_case_worker": _("The family's own case worker"),
    "facilitator": _("Facilitator"),
    "therapist": _("Therapist"),
}

SAFETY_LEVELS = {
    "none": _("No safety concern"),
    "some": _("Some safety concern"),
    "serious": _("Serious safety concern"),
    "acute": _("Acute danger"),
}

CONTRA_INDICATIONS = {
    "fighting_divorce": _("High-conflict divorce"),
    "loyalty_conflict": _("Loyalty conflict"),
    "no_motivation": _("No motivation"),
    "unsafe_network": _("Unsafe network"),
    "network_is_source_of_conflict": _("Network is the source of the conflict"),
    "acute_danger": _("Acute danger"),
    "no_network": _("No network"),
}

SEVERITIES = {
    "warning": _("Warning"),
    "exclude": _("Rules the method out"),
}

# Who takes part in a phase, and what it produces (codes used in the definition files).
ROLES = {
    "action_team": _("action team"),
    "case_worker": _("case worker"),
    "child": _("child"),
    "child_advocate": _("child's advocate"),
    "clb_worker": _("CLB worker (pupil guidance)"),
    "co_moderator": _("co-moderator"),
    "coordinator": _("coordinator"),
    "facilitator": _("facilitator"),
    "focus_person": _("focus person"),
    "graphic_facilitator": _("graphic facilitator"),
    "independent_coordinator": _("independent coordinator"),
    "information_giver": _("information giver"),
    "learning_place_host": _("host of the learning place"),
    "main_person": _("main person"),
    "moderator": _("moderator"),
    "network_member": _("network member"),
    "offender": _("offender"),
    "parent": _("parent"),
    "plan_monitor": _("keeper of the plan"),
    "police_officer": _("police officer"),
    "process_guide": _("process guide"),
    "referrer": _("referrer"),
    "safety_network_member": _("member of the safety network"),
    "school_rep": _("school representative"),
    "supporter": _("supporter"),
    "therapist": _("therapist"),
    "victim": _("victim"),
    "volunteer_facilitator": _("volunteer facilitator"),
    "young_person": _("young person"),
}

ARTEFACTS = {
    "action_plan": _("action plan"),
    "action_team_agreements": _("agreements of the action team"),
    "assessment_notes": _("assessment notes"),
    "bottom_lines": _("bottom lines"),
    "circle_of_support": _("circle of support"),
    "closing_agreement": _("closing agreement"),
    "closing_report": _("closing report"),
    "conditions_check": _("check of the conditions"),
    "consent": _("consent"),
    "contact_log": _("contact log"),
    "danger_statement": _("danger statement"),
    "evaluation": _("evaluation"),
    "evaluation_appointments": _("evaluation appointments"),
    "family_finding_list": _("list of found relatives and contacts"),
    "family_group_plan": _("family group plan"),
    "family_plan": _("family plan"),
    "follow_up_agreements": _("follow-up agreements"),
    "follow_up_call": _("follow-up call"),
    "genogram": _("genogram"),
    "help_plan": _("help plan"),
    "information_contribution": _("information from professionals"),
    "intake_notes": _("intake notes"),
    "intentieverklaring": _("declaration of intent"),
    "invitation": _("invitation"),
    "learning_place_agreement": _("learning place agreement"),
    "map_graphic": _("MAPS drawing"),
    "network_list": _("list of the network"),
    "network_map": _("network map"),
    "network_meeting_notes": _("notes of the network meeting"),
    "path_graphic": _("PATH drawing"),
    "plan": _("plan"),
    "plan_evaluation": _("evaluation of the plan"),
    "preparation_notes": _("preparation notes"),
    "questions_for_family": _("questions for the family"),
    "registration": _("registration"),
    "registration_form": _("registration form"),
    "restoration_plan": _("restoration plan"),
    "risk_map": _("risk map"),
    "round_table_agreements": _("round-table agreements"),
    "safety_goal": _("safety goal"),
    "safety_plan": _("safety plan"),
    "safety_scale": _("safety scale"),
    "session_notes": _("session notes"),
    "supporter_list": _("list of supporters"),
    "three_houses": _("Three Houses"),
    "words_and_pictures": _("Words and Pictures"),
}


def label(mapping, code):
    """The label for a code; an unknown code (e.g. a role) shown readably rather than failing."""
    if code in mapping:
        return mapping[code]
    return code.replace("_", " ").capitalize()
