"""factory_boy factories, one module per app. Each builds its rows through the app's services
(member_create, unit_open, client_create, invoice_create/invoice_issue, job_create,
contract_create, expense_claim_submit, assembly_create), so a row is valid as the app makes
it: numbered, audited, ledger posted. Keyword arguments are the service's; `by` is who acts.
"""
