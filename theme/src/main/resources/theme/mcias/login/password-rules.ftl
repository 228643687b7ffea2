<#--
  The password rules, shown above the password fields of every page that sets a password, before anything is
  typed. Length, username and email come from the realm's password policy (Keycloak's passwordPolicies bean);
  the common-password rule has no bean property and is always listed: the pack's realm has the
  passwordBlacklist policy (theme/README.md). Other pages that set a password use it the same way:
    <#import "password-rules.ftl" as passwordRules> ... <@passwordRules.rules/>
-->
<#macro rules>
    <div id="mcias-password-rules" class="mcias-password-rules" aria-live="off">
        <p class="mcias-password-rules__title">${msg("mciasPasswordRulesTitle")}</p>
        <ul class="mcias-password-rules__list">
            <#if (passwordPolicies.length)?? && passwordPolicies.length gt 0>
                <li id="mcias-rule-length">${msg("mciasPasswordRuleLength", passwordPolicies.length)}</li>
            </#if>
            <#if (passwordPolicies.maxLength)??>
                <li id="mcias-rule-max-length">${msg("mciasPasswordRuleMaxLength", passwordPolicies.maxLength)}</li>
            </#if>
            <li id="mcias-rule-common">${msg("mciasPasswordRuleCommon")}</li>
            <#if (passwordPolicies.notUsername)?? && passwordPolicies.notUsername>
                <li id="mcias-rule-not-username">${msg("mciasPasswordRuleNotUsername")}</li>
            </#if>
            <#if (passwordPolicies.notEmail)?? && passwordPolicies.notEmail>
                <li id="mcias-rule-not-email">${msg("mciasPasswordRuleNotEmail")}</li>
            </#if>
            <#if (passwordPolicies.passwordHistory)?? && passwordPolicies.passwordHistory gt 0>
                <li id="mcias-rule-history">${msg("mciasPasswordRuleHistory", passwordPolicies.passwordHistory)}</li>
            </#if>
        </ul>
    </div>
</#macro>
