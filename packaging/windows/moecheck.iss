; Inno Setup 6 script: per-user installer for MoeCheck on Windows.
;
;   iscc /DAppVersion=0.1.0 /DAppPublisher=... /DAppContact=... /DSourceDir=..\..\dist\moecheck /DIconFile=..\..\build\icons\moecheck.ico ^
;        /DOutputDir=..\..\dist packaging\windows\moecheck.iss
;
; Produces MoeCheck-Setup-<version>.exe. Per-user (PrivilegesRequired=lowest):
; marketers install it without admin rights, into %LOCALAPPDATA%\Programs\MoeCheck.
; Signing: when the release workflow has a certificate it passes
; /DSignTool=moecheck "/Smoecheck=signtool sign ... $f", and Inno signs the
; installer and the uninstaller; without it the installer is unsigned (users
; then click "More info" > "Run anyway" in SmartScreen, see docs/install.md).
; The application executables are signed by the workflow before this runs.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z (from moecheck_gui.__version__)
#endif
; The publisher lives in moecheck_gui/publisher.py only; the workflow passes it.
#ifndef AppPublisher
  #error Pass the publisher: iscc /DAppPublisher=... /DAppContact=... (from moecheck_gui.publisher)
#endif
#ifndef AppContact
  #error Pass the publisher's contact: iscc /DAppContact=... (from moecheck_gui.publisher)
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\moecheck"
#endif
#ifndef IconFile
  #define IconFile "..\..\build\icons\moecheck.ico"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif
; Windows wants a purely numeric a.b.c.d for VersionInfoVersion. The release
; workflow passes /DNumericVersion from `python packaging/build_rules.py
; windows-version` (0.2.0rc1 -> 0.2.0.0, 0.2.0.post1 -> 0.2.0.1); appending ".0"
; is only right for a plain X.Y.Z, so a pre-release without it is refused here.
#ifndef NumericVersion
  #if Pos("a", AppVersion) || Pos("b", AppVersion) || Pos("c", AppVersion) || Pos("d", AppVersion) || Pos("p", AppVersion) || Pos("+", AppVersion)
    #error AppVersion is not plain X.Y.Z: pass /DNumericVersion=a.b.c.d (python packaging/build_rules.py windows-version)
  #endif
  #define NumericVersion AppVersion + ".0"
#endif

#define AppName "MoeCheck"
#define AppId "io.moecheck.MoeCheck"
#define GuiExe "moecheck-gui.exe"

[Setup]
; AppId must never change: it is how upgrades and the uninstaller find an existing install.
AppId={{0F7BF2E1-B26D-4158-993E-9884281BF251}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppPublisher}
AppContact={#AppContact}
AppCopyright=MIT License
PrivilegesRequired=lowest
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
DisableDirPage=auto
UsePreviousAppDir=yes
OutputDir={#OutputDir}
OutputBaseFilename={#AppName}-Setup-{#AppVersion}
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\{#GuiExe}
UninstallDisplayName={#AppName}
Compression=lzma2/ultra64
SolidCompression=yes
; ultra64's 64 MB dictionary runs the 32-bit compiler out of address space in-process.
LZMAUseSeparateProcess=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Qt 6 supports Windows 10 (1809) and later.
MinVersion=10.0.17763
CloseApplications=yes
RestartApplications=no
ChangesEnvironment=yes
VersionInfoVersion={#NumericVersion}
VersionInfoTextVersion={#AppVersion}
VersionInfoProductName={#AppName}
; The binary product version is numeric too; the text one may say 0.2.0rc1.
VersionInfoProductVersion={#NumericVersion}
VersionInfoProductTextVersion={#AppVersion}
VersionInfoCompany={#AppPublisher}
VersionInfoDescription={#AppName} installer
VersionInfoCopyright=MIT License
#ifdef SignTool
SignTool={#SignTool}
SignedUninstaller=yes
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "addtopath"; Description: "Add the moecheck command to my PATH (for scripts and IT staff)"; GroupDescription: "Command line:"; Flags: unchecked

[InstallDelete]
; A new version may ship different libraries: never leave old ones beside new ones.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#GuiExe}"; Comment: "Check whether MoEngage credentials work"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#GuiExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#GuiExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Registry]
Root: HKCU; Subkey: "Environment"; ValueType: expandsz; ValueName: "Path"; ValueData: "{olddata};{app}"; Tasks: addtopath; Check: NeedsAddPath(ExpandConstant('{app}'))

[Code]
{ True when Dir is not yet in the user's PATH, so it is added exactly once. }
function NeedsAddPath(Dir: string): Boolean;
var
  Paths: string;
begin
  if not RegQueryStringValue(HKEY_CURRENT_USER, 'Environment', 'Path', Paths) then
  begin
    Result := True;
    exit;
  end;
  Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Paths) + ';') = 0;
end;

{ On uninstall, take the install folder out of the user's PATH again. }
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Paths, Dir: string;
  P: Integer;
begin
  if CurUninstallStep <> usPostUninstall then
    exit;
  if not RegQueryStringValue(HKEY_CURRENT_USER, 'Environment', 'Path', Paths) then
    exit;
  Dir := ExpandConstant('{app}');
  P := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Paths) + ';');
  if P = 0 then
    exit;
  { P is 1-based in ';' + Paths + ';', which starts one character earlier than Paths. }
  if P = 1 then
    Delete(Paths, 1, Length(Dir) + 1)
  else
    Delete(Paths, P - 1, Length(Dir) + 1);
  RegWriteExpandStringValue(HKEY_CURRENT_USER, 'Environment', 'Path', Paths);
end;
