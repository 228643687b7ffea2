<#-- The one page for every invite link that cannot be used (expired, used, revoked, altered or unknown): it says
     the same in every case, so it tells nothing about which invites exist. -->
<#import "template.ftl" as layout>
<@layout.registrationLayout displayMessage=false; section>
<!-- template: mcias-invite-invalid.ftl -->
    <#if section = "header">
        ${msg("mciasInviteInvalidTitle")}
    <#elseif section = "form">
        <p id="mcias-invite-invalid" class="mcias-invite-intro">${msg("mciasInviteInvalid")}</p>
    </#if>
</@layout.registrationLayout>
