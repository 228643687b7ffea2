package dev.mcias.keycloak.argon2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.keycloak.common.Profile;
import org.keycloak.crypto.hash.Argon2PasswordHashProviderFactory;
import org.keycloak.provider.EnvironmentDependentProviderFactory;

/** Where our factories are enabled (FIPS mode) and what they check about the running Keycloak at startup. */
class FactoryEnvironmentTest {

    @AfterEach
    void resetProfile() {
        Profile.reset();
    }

    /** Like Keycloak's own argon2: off in FIPS mode. The PBKDF2 ids stay, as Keycloak's do (FIPS's hash). */
    @Test
    void argon2FactoriesAreOffInFipsModePbkdf2Stays() {
        List<EnvironmentDependentProviderFactory> ours = List.of(new Argon2idPasswordHashProviderFactory(),
                new LegacyImportPasswordHashProviderFactory(), new BoundedArgon2PasswordHashProviderFactory(),
                new BoundedPbkdf2PasswordHashProviderFactory.Sha1(), new BoundedPbkdf2PasswordHashProviderFactory.Sha256(),
                new BoundedPbkdf2PasswordHashProviderFactory.Sha512());
        List<Boolean> expectedInFips = List.of(false, false, false, true, true, true);

        Profile.init(Profile.ProfileName.DEFAULT, Map.of(Profile.Feature.FIPS, true));
        assertEquals(false, new Argon2PasswordHashProviderFactory().isSupported(MapScope.of()), "Keycloak's own");
        assertEquals(expectedInFips, ours.stream().map(f -> f.isSupported(MapScope.of())).toList());

        Profile.reset();
        Profile.init(Profile.ProfileName.DEFAULT, Map.of(Profile.Feature.FIPS, false));
        assertTrue(ours.stream().allMatch(f -> f.isSupported(MapScope.of())));
    }

    @SuppressWarnings("unused")
    static final class FakePasswordCheck {
        boolean isValid() {
            return true;
        }

        private void rehashPasswordIfRequired() {
        }
    }

    @Test
    void startupCheckNamesWhatIsMissing() {
        String fake = FakePasswordCheck.class.getName();
        SessionHashingSlot.requireMethods(fake, "isValid", "rehashPasswordIfRequired");
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> SessionHashingSlot.requireMethods(fake, "isValid", "validatePassword"));
        assertTrue(missing.getMessage().startsWith("argon2id: this Keycloak version is not supported"),
                missing.getMessage());
        assertTrue(missing.getMessage().contains("missing [validatePassword]"), missing.getMessage());
        IllegalStateException gone = assertThrows(IllegalStateException.class,
                () -> SessionHashingSlot.requireMethods("org.keycloak.credential.NoSuchProvider", "isValid"));
        assertTrue(gone.getMessage().contains("class not found"), gone.getMessage());
    }
}
