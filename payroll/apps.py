from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayrollConfig(AppConfig):
    name = "payroll"
    verbose_name = _("Payroll")

    def ready(self):
        # inside ready(): these modules import the models, which are loaded only now.
        from core.files import private_file_owner
        from core.uploads import register_field_limit
        from invoicing.funding import register_contribution_done_check
        from invoicing.purchase_rules import register_year_deadline
        from payroll.contributions.selectors import closed_until
        from payroll.expenses.services import MAX_RECEIPT_SIZE, pending_claims_total, year_deadline
        from payroll.models import ContributionRun
        from payroll.work.declaration_services import reserved_budget
        from payroll.work.job_reservation import reserved_jobs
        from payroll.work.job_services import MAX_RECEIPT_BYTES
        from production_units.selectors import register_reservation

        # A stored file goes to the people who see its row in the portal (and to staff);
        # payout files (pain.001) are for staff only.
        private_file_owner("payroll.Contract", "payroll.work.views.get_own_contract_or_404")
        private_file_owner("payroll.Payslip", "payroll.pay.views.get_own_payslip_or_404")
        private_file_owner("payroll.Attestation", "payroll.pay.views.get_own_attestation_or_404")
        private_file_owner("payroll.ExpenseClaim", "payroll.expenses.views.get_own_claim_or_404")
        private_file_owner(
            "payroll.JobExpense", "payroll.work.views.get_own_job_or_404", pk_attr="job_id"
        )
        private_file_owner("payroll.Receipt", lambda request, obj: obj.owner_id == request.user.pk)
        private_file_owner(
            "payroll.HeldReceipt", lambda request, obj: obj.owner_id == request.user.pk
        )

        register_field_limit("receipt", MAX_RECEIPT_SIZE)
        register_field_limit("receipt", MAX_RECEIPT_BYTES)

        # What payroll promises from a unit's balance counts in its available balance, and
        # purchases close a year on the same deadline as expense claims.
        register_reservation(
            "payroll.work_declarations",
            reserved_budget,
            _("work declarations: their budget, until the salary and contribution are taken"),
        )
        register_reservation(
            "payroll.jobs",
            reserved_jobs,
            _("3en1 jobs: salary, employer charges and contributions still to be taken"),
        )
        register_reservation(
            "payroll.expense_claims", pending_claims_total, _("expense claims awaiting a decision")
        )
        register_year_deadline(year_deadline)
        # The available balances read the month the contribution runs have closed from the
        # cache: a run saved or deleted, by whatever path, makes it read again.
        closed_until.follow(ContributionRun)
        # A funding received in a month whose contribution is computed would never be charged.
        register_contribution_done_check(
            lambda first: ContributionRun.objects.filter(period=first).exists()
        )
