<#-- The page an invite link opens (spi-invites): the friend picks a username (unless the invite fixes one),
     sees the password rules before typing, and may opt into TOTP or a passkey. -->
<#import "template.ftl" as layout>
<#import "field.ftl" as field>
<#import "buttons.ftl" as buttons>
<@layout.registrationLayout displayMessage=messagesPerField.exists('global'); section>
<!-- template: mcias-invite-register.ftl -->
    <#if section = "header">
        ${msg("mciasInviteTitle")}
    <#elseif section = "form">
        <p id="mcias-invite-intro" class="mcias-invite-intro"><#if inviteApp?has_content>${msg("mciasInviteIntroApp", inviteApp)}<#else>${msg("mciasInviteIntro")}</#if></p>
        <form id="mcias-invite-form" class="${properties.kcFormClass!}" action="${inviteAction}" method="post" novalidate="novalidate">
            <input type="hidden" name="invite" value="${inviteToken}"/>
            <input type="hidden" name="form_nonce" value="${formNonce}"/>
            <#if fixedUsername?has_content>
                <div class="${properties.kcFormGroupClass!}">
                    <span class="${properties.kcFormLabelTextClass!}">${msg("username")}</span>
                    <p id="mcias-invite-username" class="mcias-invite-fixed">${fixedUsername}</p>
                </div>
            <#else>
                <@field.input name="username" label=msg("username") value=enteredUsername required=true autocomplete="username" autofocus=true />
            </#if>
            <#if fixedEmail?has_content>
                <div class="${properties.kcFormGroupClass!}">
                    <span class="${properties.kcFormLabelTextClass!}">${msg("email")}</span>
                    <p id="mcias-invite-email" class="mcias-invite-fixed">${fixedEmail}</p>
                </div>
            <#else>
                <@field.input name="email" label=msg("email") value=enteredEmail required=true autocomplete="email" />
            </#if>
            <@field.input name="firstName" label=msg("firstName") value=enteredFirstName required=true autocomplete="given-name" />
            <@field.input name="lastName" label=msg("lastName") value=enteredLastName required=true autocomplete="family-name" />

            <div id="mcias-password-rules" class="mcias-password-rules">
                <p class="mcias-password-rules__title">${msg("mciasPasswordRulesTitle")}</p>
                <ul class="mcias-password-rules__list">
                    <#if passwordMinLength gt 0><li>${msg("mciasPasswordRuleLength", passwordMinLength)}</li></#if>
                    <#if passwordDenylist><li>${msg("mciasPasswordRuleDenylist")}</li></#if>
                    <#if passwordNotUsername><li>${msg("mciasPasswordRuleNotUsername")}</li></#if>
                </ul>
            </div>
            <@field.password name="password" label=msg("password") required=true autocomplete="new-password" />
            <@field.password name="password-confirm" label=msg("passwordConfirm") required=true autocomplete="new-password" />

            <#if offerTotp || offerPasskey>
                <fieldset id="mcias-invite-setup" class="${properties.kcFormGroupClass!} mcias-invite-setup" style="border: 0; padding: 0; margin: 0 0 1rem 0;">
                    <legend class="${properties.kcFormLabelTextClass!}">${msg("mciasInviteSetupTitle")}</legend>
                    <#if offerTotp><@field.checkbox name="setup-totp" label=msg("mciasInviteSetupTotp") /></#if>
                    <#if offerPasskey><@field.checkbox name="setup-passkey" label=msg("mciasInviteSetupPasskey") /></#if>
                </fieldset>
            </#if>

            <@buttons.actionGroup>
                <@buttons.button id="mcias-invite-submit" name="register" label="mciasInviteSubmit" />
            </@buttons.actionGroup>
        </form>
    </#if>
</@layout.registrationLayout>
