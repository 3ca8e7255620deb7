package web

import (
	"net/http"

	"alliance/internal/domain"
	"alliance/internal/router"
)

// Register adds every web route to t, each with its access declaration.
// Fine-grained rules (which records, which agency) are the services' and
// the access policy's; these declarations are the coarse gate.
func (h *Web) Register(t *router.Table) {
	admin := router.Roles(domain.RoleAdministrator)

	t.Handle("GET /static/{version}/{path...}", router.AccessPublic, h.assets)
	t.Handle("GET /favicon.ico", router.AccessPublic, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Handle("GET /about", router.AccessPublic, h.page(h.about))

	// Signing in and out.
	t.Handle("GET /sign-in", router.AccessPublic, h.page(h.signInForm))
	t.Handle("POST /sign-in", router.AccessPublic, h.limit.Wrap(h.page(h.signIn), h.page(h.tooMany)))
	t.Handle("GET /sign-in/oidc", router.AccessPublic, h.page(h.oidcBegin))
	t.Handle("GET /sign-in/oidc/callback", router.AccessPublic, h.page(h.oidcCallback))
	t.Handle("GET /sign-in/second-factor", router.AccessSecondFactor, h.page(h.secondFactorForm))
	t.Handle("POST /sign-in/second-factor", router.AccessSecondFactor, h.limit.Wrap(h.page(h.secondFactor), h.page(h.tooMany)))
	t.Handle("GET /sign-in/set-up-second-factor", router.AccessSecondFactor, h.page(h.enrolForm))
	t.Handle("POST /sign-in/set-up-second-factor", router.AccessSecondFactor, h.page(h.enrol))
	t.Handle("POST /sign-out", router.AccessPublic, h.page(h.signOut))
	t.Handle("GET /reset-password/{token}", router.AccessPublic, h.page(h.resetForm))
	t.Handle("POST /reset-password/{token}", router.AccessPublic, h.page(h.reset))

	// The partnership.
	t.Handle("GET /{$}", router.AccessSignedIn, h.page(h.home))
	t.Handle("GET /agencies", router.AccessSignedIn, h.page(h.agencies))
	t.Handle("GET /areas", router.AccessSignedIn, h.page(h.areas))
	t.Handle("GET /areas/{code}", router.AccessSignedIn, h.page(h.area))

	// Your account.
	t.Handle("GET /account", router.AccessSignedIn, h.page(h.account))
	t.Handle("POST /account/sessions/{id}/revoke", router.AccessSignedIn, h.page(h.revokeSession))
	t.Handle("POST /account/sign-out-everywhere", router.AccessSignedIn, h.page(h.signOutEverywhere))
	t.Handle("GET /account/password", router.AccessSignedIn, h.page(h.passwordForm))
	t.Handle("POST /account/password", router.AccessSignedIn, h.page(h.changePassword))
	t.Handle("POST /account/tokens", router.AccessSignedIn, h.page(h.createToken))
	t.Handle("POST /account/tokens/{id}/revoke", router.AccessSignedIn, h.page(h.revokeToken))

	// Information reports: the policy decides per record.
	// Intelligence from partners and the public, and its triage. The public
	// page needs no account and keeps nothing about who sent a report.
	t.Handle("GET /report-crime", router.AccessPublic, h.page(h.reportCrimeForm))
	t.Handle("POST /report-crime", router.AccessPublic, h.public.Wrap(h.page(h.reportCrime), h.page(h.reportCrimeTooMany)))
	t.Handle("GET /submissions", router.AccessSignedIn, h.page(h.submissionsMine))
	t.Handle("GET /submissions/new", router.AccessSignedIn, h.page(h.submissionNew))
	t.Handle("POST /submissions", router.AccessSignedIn, h.page(h.submissionCreate))
	t.Handle("GET /submissions/{id}", router.AccessSignedIn, h.page(h.submissionShow))
	t.Handle("POST /submissions/{id}/answer", router.AccessSignedIn, h.page(h.submissionAnswer))
	t.Handle("POST /submissions/{id}/decision", router.Roles(domain.RoleAnalyst), h.page(h.submissionDecide))
	t.Handle("GET /triage", router.Roles(domain.RoleAnalyst), h.page(h.triage))
	// Prevention programmes: everyone signed in reads them; administrators
	// write them (the service checks too).
	t.Handle("GET /programmes", router.AccessSignedIn, h.page(h.programmeList))
	t.Handle("GET /programmes/new", router.Roles(domain.RoleAdministrator), h.page(h.programmeNew))
	t.Handle("POST /programmes", router.Roles(domain.RoleAdministrator), h.page(h.programmeSave))
	t.Handle("GET /programmes/{id}", router.AccessSignedIn, h.page(h.programmeShow))
	t.Handle("GET /programmes/{id}/edit", router.Roles(domain.RoleAdministrator), h.page(h.programmeEdit))
	t.Handle("POST /programmes/{id}", router.Roles(domain.RoleAdministrator), h.page(h.programmeSave))
	// Referrals: behind the firewall the service keeps in SQL (decision 33);
	// made by first responders and coordinators.
	referrers := router.Roles(domain.RolePartnerOfficer, domain.RoleReferralCoordinator, domain.RoleLRO, domain.RoleAnalyst)
	t.Handle("GET /referrals", router.AccessSignedIn, h.page(h.referralList))
	t.Handle("GET /referrals/new", referrers, h.page(h.referralNew))
	t.Handle("POST /referrals", referrers, h.page(h.referralCreate))
	t.Handle("GET /referrals/{id}", router.AccessSignedIn, h.page(h.referralShow))
	t.Handle("POST /referrals/{id}/sessions", router.AccessSignedIn, h.page(h.referralSession))
	t.Handle("POST /referrals/{id}/status", router.Roles(domain.RoleReferralCoordinator), h.page(h.referralStatus))
	// NRM referrals and Duty to Notify reports: the same firewall.
	t.Handle("GET /nrm", router.AccessSignedIn, h.page(h.nrmList))
	t.Handle("GET /nrm/new", referrers, h.page(h.nrmNew))
	t.Handle("POST /nrm", referrers, h.page(h.nrmCreate))
	t.Handle("GET /nrm/summary", router.Roles(domain.RoleReferralCoordinator), h.page(h.nrmSummary))
	t.Handle("GET /nrm/{id}", router.AccessSignedIn, h.page(h.nrmShow))
	t.Handle("POST /nrm/{id}/decisions", router.AccessSignedIn, h.page(h.nrmDecide))
	t.Handle("GET /admin/triage-targets", router.Roles(domain.RoleAdministrator), h.page(h.triageTargetsForm))
	t.Handle("POST /admin/triage-targets", router.Roles(domain.RoleAdministrator), h.page(h.triageTargetsSave))
	t.Handle("GET /reports", router.AccessSignedIn, h.page(h.reportList))
	t.Handle("GET /reports/new", router.AccessSignedIn, h.page(h.reportNew))
	t.Handle("POST /reports", router.AccessSignedIn, h.page(h.reportCreate))
	t.Handle("GET /reports/import", router.Roles(domain.RoleAnalyst), h.page(h.legacyForm))
	t.Handle("POST /reports/import", router.Roles(domain.RoleAnalyst), h.page(h.legacyUpload))
	t.Handle("GET /reports/export", router.AccessSignedIn, h.page(h.reportExportForm))
	t.Handle("POST /reports/export", router.AccessSignedIn, h.page(h.reportExport))
	t.Handle("GET /reports/{id}", router.AccessSignedIn, h.page(h.reportShow))
	t.Handle("POST /reports/{id}/purpose", router.AccessSignedIn, h.page(h.reportPurpose))
	t.Handle("POST /reports/{id}/sanitise", router.Roles(domain.RoleAnalyst), h.page(h.reportSanitise))
	t.Handle("POST /reports/{id}/links", router.AccessSignedIn, h.page(h.reportLink))
	t.Handle("POST /reports/{id}/disseminate", router.Roles(domain.RoleAnalyst), h.page(h.reportDisseminate))

	// The OCG register: the service and policy decide per record.
	t.Handle("GET /ocgs", router.AccessSignedIn, h.page(h.ocgList))
	t.Handle("GET /ocgs/new", router.AccessSignedIn, h.page(h.ocgNew))
	t.Handle("POST /ocgs", router.AccessSignedIn, h.page(h.ocgCreate))
	t.Handle("GET /ocgs/{id}", router.AccessSignedIn, h.page(h.ocgShow))
	t.Handle("POST /ocgs/{id}/purpose", router.AccessSignedIn, h.page(h.registerPurpose("/ocgs/")))
	t.Handle("GET /ocgs/{id}/edit", router.AccessSignedIn, h.page(h.ocgEdit))
	t.Handle("POST /ocgs/{id}/edit", router.AccessSignedIn, h.page(h.ocgUpdate))
	t.Handle("GET /ocgs/{id}/transition", router.AccessSignedIn, h.page(h.ocgTransitionForm))
	t.Handle("POST /ocgs/{id}/transition", router.AccessSignedIn, h.page(h.ocgTransition))
	t.Handle("GET /ocgs/{id}/members/new", router.AccessSignedIn, h.page(h.ocgMemberNew))
	t.Handle("POST /ocgs/{id}/members", router.AccessSignedIn, h.page(h.ocgMemberCreate))
	t.Handle("GET /ocgs/{id}/members/{link}/edit", router.AccessSignedIn, h.page(h.ocgMemberEdit))
	t.Handle("POST /ocgs/{id}/members/{link}/edit", router.AccessSignedIn, h.page(h.ocgMemberUpdate))
	t.Handle("GET /ocgs/{id}/members/{link}/end", router.AccessSignedIn, h.page(h.ocgMemberEndForm))
	t.Handle("POST /ocgs/{id}/members/{link}/end", router.AccessSignedIn, h.page(h.ocgMemberEnd))
	t.Handle("GET /ocgs/{id}/plan", router.AccessSignedIn, h.page(h.planForm))
	t.Handle("POST /ocgs/{id}/plan", router.AccessSignedIn, h.page(h.planSave))
	t.Handle("GET /ocgs/{id}/plan/actions/new", router.AccessSignedIn, h.page(h.planActionNew))
	t.Handle("POST /ocgs/{id}/plan/actions", router.AccessSignedIn, h.page(h.planActionCreate))
	t.Handle("GET /ocgs/{id}/plan/actions/{action}", router.AccessSignedIn, h.page(h.planActionForm))
	t.Handle("POST /ocgs/{id}/plan/actions/{action}", router.AccessSignedIn, h.page(h.planActionUpdate))
	t.Handle("GET /people/new", router.AccessSignedIn, h.page(h.entityNew))
	t.Handle("POST /people", router.AccessSignedIn, h.page(h.entityCreate))
	t.Handle("GET /people/{id}", router.AccessSignedIn, h.page(h.entityShow))
	t.Handle("POST /people/{id}/purpose", router.AccessSignedIn, h.page(h.registerPurpose("/people/")))
	t.Handle("GET /links/new", router.AccessSignedIn, h.page(h.linkNew))
	t.Handle("POST /links", router.AccessSignedIn, h.page(h.linkCreate))

	// The OCG picture.
	t.Handle("GET /ocg-picture", router.AccessSignedIn, h.page(h.ocgPicture))

	// Disruptions, the panel and the performance dashboard: the services
	// decide who may (recorders, the panel, the board).
	t.Handle("GET /disruptions", router.AccessSignedIn, h.page(h.disruptionsList))
	t.Handle("GET /disruptions/new", router.AccessSignedIn, h.page(h.disruptionNew))
	t.Handle("POST /disruptions", router.AccessSignedIn, h.page(h.disruptionCreate))
	t.Handle("GET /disruptions/{id}", router.AccessSignedIn, h.page(h.disruptionShow))
	t.Handle("POST /disruptions/{id}/decision", router.AccessSignedIn, h.page(h.disruptionDecide))
	t.Handle("POST /disruptions/{id}/apmis", router.AccessSignedIn, h.page(h.disruptionAPMIS))
	t.Handle("POST /disruptions/{id}/reopen", router.Roles(domain.RolePanelMember), h.page(h.disruptionReopen))
	t.Handle("GET /activities", router.AccessSignedIn, h.page(h.activitiesPage))
	t.Handle("POST /activities", router.AccessSignedIn, h.page(h.activityCreate))
	t.Handle("POST /activities/{id}/close", router.AccessSignedIn, h.page(h.activityClose))
	t.Handle("GET /performance", router.AccessSignedIn, h.page(h.performancePage))
	t.Handle("GET /performance/board-pack", router.AccessSignedIn, h.page(h.boardPackPage))
	t.Handle("GET /performance/board-pack.pdf", router.AccessSignedIn, h.page(h.boardPackPDF))
	t.Handle("GET /performance/export", router.AccessSignedIn, h.page(h.performanceExportForm))
	t.Handle("POST /performance/export", router.AccessSignedIn, h.page(h.performanceExport))

	// Search.
	t.Handle("GET /search", router.AccessSignedIn, h.page(h.searchPage))

	// Import and export of the register: the importer service decides who
	// may (analysts and LROs import; those allowed export).
	t.Handle("GET /import", router.AccessSignedIn, h.page(h.importForm))
	t.Handle("POST /import", router.AccessSignedIn, h.page(h.importUpload))
	// A job's status page: its owner's only (anyone else gets 404).
	t.Handle("GET /jobs/{id}", router.AccessSignedIn, h.page(h.jobShow))
	// An export job's file: its owner's only, until it is deleted.
	t.Handle("GET /jobs/{id}/download", router.AccessSignedIn, h.page(h.jobDownload))
	t.Handle("GET /export/register", router.AccessSignedIn, h.page(h.registerExportForm))
	t.Handle("POST /export/register", router.AccessSignedIn, h.page(h.registerExport))

	// Administration.
	t.Handle("GET /admin/users", admin, h.page(h.adminUsers))
	t.Handle("GET /admin/users/new", admin, h.page(h.adminUserNew))
	t.Handle("POST /admin/users", admin, h.page(h.adminUserCreate))
	t.Handle("GET /admin/users/{id}", admin, h.page(h.adminUser))
	t.Handle("POST /admin/users/{id}/roles", admin, h.page(h.adminUserRoles))
	t.Handle("POST /admin/users/{id}/deactivate", admin, h.page(h.adminUserActive(false)))
	t.Handle("POST /admin/users/{id}/activate", admin, h.page(h.adminUserActive(true)))
	t.Handle("POST /admin/users/{id}/reset-link", admin, h.page(h.adminUserReset))
	t.Handle("POST /admin/users/{id}/oidc", admin, h.page(h.adminUserOIDC))
	t.Handle("POST /admin/users/{id}/tokens", admin, h.page(h.adminUserToken))
	t.Handle("GET /admin/sign-ins", admin, h.page(h.adminSignIns))

	// Information sharing agreements: administrators keep the register;
	// auditors and administrators read it.
	t.Handle("GET /sharing", router.Roles(domain.RoleAdministrator, domain.RoleAuditor), h.page(h.sharingList))
	t.Handle("GET /sharing/new", admin, h.page(h.isaNew))
	t.Handle("POST /sharing", admin, h.page(h.isaCreate))
	t.Handle("POST /sharing/{id}/status", admin, h.page(h.isaStatus))

	// The audit log, for auditors (data protection officers) only.
	auditor := router.Roles(domain.RoleAuditor)
	t.Handle("GET /audit", auditor, h.page(h.auditSearch))
	t.Handle("GET /audit/records/{id}", auditor, h.page(h.auditRecord))
	// Exporting the entries found queues a job; the file is on its page.
	t.Handle("POST /audit/export", auditor, h.page(h.auditExport))

	// Scoring. Assessing and reading a group's scores: the scoring service
	// decides per group (edit rights or its LRO to score; sight of the group
	// to read). Administrators keep the models, each save a new version.
	t.Handle("GET /ocgs/{id}/assess", router.AccessSignedIn, h.page(h.assessForm))
	t.Handle("POST /ocgs/{id}/assess", router.AccessSignedIn, h.page(h.assess))
	t.Handle("GET /ocgs/{id}/assessments", router.AccessSignedIn, h.page(h.assessments))
	t.Handle("GET /admin/reference-data", admin, h.page(h.referenceData))
	t.Handle("POST /admin/reference-data", admin, h.page(h.referenceDataSave))
	t.Handle("GET /admin/scoring-models", router.Roles(domain.RoleAdministrator), h.page(h.scoringModels))
	t.Handle("GET /admin/scoring-models/{method}", router.Roles(domain.RoleAdministrator), h.page(h.scoringModelForm))
	t.Handle("POST /admin/scoring-models/{method}", router.Roles(domain.RoleAdministrator), h.page(h.scoringModelSave))

	// Everything else: the GOV.UK 404 page.
	t.Handle("/", router.AccessPublic, http.HandlerFunc(h.NotFound))

	// The navigation links a page only when its declaration admits the
	// reader.
	h.pages = map[string]router.Access{}
	for _, r := range t.Routes() {
		if r.Method() == http.MethodGet && !r.API {
			h.pages[r.Path()] = r.Access
		}
	}
}
