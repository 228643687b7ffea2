package dev.mcias.keycloak.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Debian Chromium driven by Debian's chromedriver. Both paths are given explicitly, so Selenium Manager
 * never runs and nothing is downloaded. Each instance has its own profile (no shared cookies).
 */
public final class Browser implements AutoCloseable {

    public static final Dimension DESKTOP = new Dimension(1280, 900);
    /** A common phone viewport (CSS pixels). */
    public static final Dimension PHONE = new Dimension(390, 844);

    private static final String CHROMIUM = System.getProperty("mcias.chromium", "/usr/bin/chromium");
    private static final String CHROMEDRIVER = System.getProperty("mcias.chromedriver", "/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of(System.getProperty("mcias.screenshots.dir", "target/screenshots"));

    private final ChromeDriver driver;
    private final Path profile;

    public Browser(Dimension viewport) {
        if (!Files.isExecutable(Path.of(CHROMIUM)) || !Files.isExecutable(Path.of(CHROMEDRIVER))) {
            throw new IllegalStateException("browser tests need Debian's chromium and chromium-driver"
                    + " (apt-get install -y chromium chromium-driver; .ci/run does this)");
        }
        try {
            profile = Files.createTempDirectory("mcias-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
                "--disable-sync", "--no-first-run", "--password-store=basic", "--lang=en-US",
                "--user-data-dir=" + profile, "--window-size=" + viewport.width + "," + viewport.height);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of(CHROMEDRIVER).toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        resize(viewport);
    }

    public ChromeDriver driver() {
        return driver;
    }

    /** Sets the layout viewport (window size minus browser chrome, which headless has none of). */
    public void resize(Dimension viewport) {
        driver.manage().window().setSize(viewport);
    }

    public void open(String url) {
        driver.get(url);
    }

    public WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    public List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    public boolean present(String css) {
        return !all(css).isEmpty();
    }

    /** Types into a fresh lookup of the element, once more if the page replaced it meanwhile. */
    public void type(String css, String text) {
        try {
            typeOnce(css, text);
        } catch (StaleElementReferenceException e) {
            typeOnce(css, text);
        } catch (WebDriverException e) {
            if (!detached(e)) {
                throw e;
            }
            typeOnce(css, text);
        }
    }

    private void typeOnce(String css, String text) {
        WebElement e = await(css);
        e.clear();
        e.sendKeys(text);
    }

    /** Clicks an element that submits or navigates, and waits until the next page has replaced this one. */
    public void clickAndWait(String css) {
        WebElement html = find("html");
        find(css).click();
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> {
            try {
                html.isEnabled();
                return false;
            } catch (StaleElementReferenceException e) {
                return true;
            } catch (WebDriverException e) {
                if (detached(e)) {
                    return true;
                }
                throw e;
            }
        });
    }

    /**
     * Chromium sometimes reports an element of a page that is being replaced as an "unhandled inspector error"
     * instead of a stale reference; both mean the element left the document.
     */
    private static boolean detached(WebDriverException e) {
        return String.valueOf(e.getMessage()).contains("does not belong to the document");
    }

    /** Waits for an element matching {@code css} to exist. */
    public WebElement await(String css) {
        return new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> {
            List<WebElement> found = d.findElements(By.cssSelector(css));
            return found.isEmpty() ? null : found.get(0);
        });
    }

    /** Waits for the body's data-page-id (Keycloak login pages carry one: login-login, login-login-otp, ...). */
    public String awaitPage(String pageId) {
        new WebDriverWait(driver, Duration.ofSeconds(20)).ignoring(StaleElementReferenceException.class)
                .until(d -> pageId.equals(pageId()));
        return pageId;
    }

    public String pageId() {
        List<WebElement> body = driver.findElements(By.cssSelector("body[data-page-id]"));
        return body.isEmpty() ? "" : body.get(0).getDomAttribute("data-page-id");
    }

    /** Text of the visible error messages of a login page, in page order. */
    public String errorText() {
        return all("[id^='input-error'], .pf-v5-c-alert__title, .kc-feedback-text").stream()
                .filter(WebElement::isDisplayed).map(e -> e.getText().trim()).filter(t -> !t.isEmpty())
                .distinct().collect(Collectors.joining(" | "));
    }

    public Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Saves a PNG of the current page as target/screenshots/{name}.png. */
    public Path screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path out = SCREENSHOTS.resolve(name + ".png");
            Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), out, StandardCopyOption.REPLACE_EXISTING);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (var walk = Files.walk(profile)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // temp profile: best effort
            }
        }
    }
}
